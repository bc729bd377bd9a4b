package io.bulwark.telemetry.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Logback appender that stamps every event with the ids of the Bulwark {@link Context} current on
 * the logging thread — {@value #TRACE_ID}, {@value #SPAN_ID}, {@value #CORRELATION_ID}, and while a
 * chaos fault is active the request's {@value #CHAOS_COHORT} — and hands it to the appenders
 * referenced inside it (typically a console or file appender with Logback's {@code JsonEncoder},
 * which writes them under {@code "mdc"}). The ids come from the {@code ScopedValue} context, not
 * from MDC's thread-local map, so they follow work across virtual-thread hops made with {@code
 * Context.wrap} and never linger after the request. Entries of the ordinary MDC are kept; the
 * context ids win on a clash.
 *
 * <pre>{@code
 * <appender name="CONSOLE_JSON" class="ch.qos.logback.core.ConsoleAppender">
 *   <encoder class="ch.qos.logback.classic.encoder.JsonEncoder"/>
 * </appender>
 * <appender name="BULWARK" class="io.bulwark.telemetry.logging.ContextStampingAppender">
 *   <appender-ref ref="CONSOLE_JSON"/>
 * </appender>
 * <root level="INFO"><appender-ref ref="BULWARK"/></root>
 * }</pre>
 *
 * The stamping happens on the logging thread, so an {@code AsyncAppender} may be referenced inside
 * it.
 */
public final class ContextStampingAppender extends AppenderBase<ILoggingEvent>
    implements AppenderAttachable<ILoggingEvent> {
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String CORRELATION_ID = "correlation_id";

  /**
   * The request's chaos cohort ({@code io.bulwark.core.fault.ChaosCohort}), stamped only while a
   * chaos fault is active.
   */
  public static final String CHAOS_COHORT = io.bulwark.core.fault.ChaosCohort.LABEL;

  private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();

  @Override
  protected void append(ILoggingEvent event) {
    Context context = Context.current();
    TraceContext trace = context.trace();
    String correlationId = context.correlationId();
    String cohort = io.bulwark.core.fault.ChaosCohort.of(context); // null without chaos
    if (trace == null && correlationId == null && cohort == null) {
      appenders.appendLoopOnAppenders(event);
      return;
    }
    Map<String, String> mdc = new LinkedHashMap<>(event.getMDCPropertyMap());
    if (trace != null) {
      mdc.put(TRACE_ID, trace.traceId());
      mdc.put(SPAN_ID, trace.spanId());
    }
    if (correlationId != null) {
      mdc.put(CORRELATION_ID, correlationId);
    }
    if (cohort != null) {
      // a line that names its request's cohort itself (the access log, written after the request
      // outside its context) keeps it: the logging thread's context is not that request's
      mdc.put(CHAOS_COHORT, ownCohort(event, cohort));
    }
    appenders.appendLoopOnAppenders(new StampedEvent(event, Map.copyOf(mdc)));
  }

  private static String ownCohort(ILoggingEvent event, String current) {
    java.util.List<org.slf4j.event.KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (org.slf4j.event.KeyValuePair p : pairs) {
        if (CHAOS_COHORT.equals(p.key) && p.value instanceof String own) {
          return own;
        }
      }
    }
    return current;
  }

  @Override
  public void stop() {
    super.stop();
    appenders.detachAndStopAllAppenders();
  }

  @Override
  public void addAppender(Appender<ILoggingEvent> appender) {
    appenders.addAppender(appender);
  }

  @Override
  public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
    return appenders.iteratorForAppenders();
  }

  @Override
  public Appender<ILoggingEvent> getAppender(String name) {
    return appenders.getAppender(name);
  }

  @Override
  public boolean isAttached(Appender<ILoggingEvent> appender) {
    return appenders.isAttached(appender);
  }

  @Override
  public void detachAndStopAllAppenders() {
    appenders.detachAndStopAllAppenders();
  }

  @Override
  public boolean detachAppender(Appender<ILoggingEvent> appender) {
    return appenders.detachAppender(appender);
  }

  @Override
  public boolean detachAppender(String name) {
    return appenders.detachAppender(name);
  }
}
