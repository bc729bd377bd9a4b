package io.bulwark.events;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * RED metrics of processing consumed records: one endpoint per topic, named {@value #PREFIX} + the
 * topic (e.g. {@code consume.orders}), one request per processed record. {@link
 * DeadLetterProcessor} and {@link ExactlyOnceProcessor} record through it when given a {@code
 * telemetry(...)}; a consumer loop of one's own calls {@link #record} after each record.
 *
 * <p>While a chaos fault is active, each record is also recorded in the series of the chaos cohort
 * it carries from its producer (the {@code chaos.experiment} entry of the {@code baggage} header,
 * labelled as {@link ChaosCohort} says: bounded, names only from active faults), so that an SLI can
 * be compared between cohort and control on the consumer side too. Without an active fault the
 * cohort costs one field read and no allocation. Thread-safe.
 */
public final class ConsumerTelemetry {
  /** The endpoint name prefix; the topic follows it. */
  public static final String PREFIX = "consume.";

  /** More distinct topics than this are recorded without caching their recorder. */
  private static final int MAX_CACHED_TOPICS = 256;

  private static final ContextHeaders BAGGAGE_ONLY = ContextHeaders.builder().build();

  private final Telemetry telemetry;
  private final ConcurrentHashMap<String, RedRecorder> byTopic = new ConcurrentHashMap<>();

  private ConsumerTelemetry(Telemetry telemetry) {
    this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
  }

  /** Records into {@code telemetry}. */
  public static ConsumerTelemetry of(Telemetry telemetry) {
    return new ConsumerTelemetry(telemetry);
  }

  /**
   * Records that processing {@code record} took {@code durationNanos} and ended with {@code
   * outcome}, in its topic's series and, while a chaos fault is active, in its cohort's.
   */
  public void record(EventRecord record, Outcome outcome, long durationNanos) {
    RedRecorder red = recorder(record.topic());
    String cohort = cohort(record);
    if (cohort == null) {
      red.record(outcome, durationNanos);
    } else {
      red.record(outcome, durationNanos, cohort);
    }
  }

  private RedRecorder recorder(String topic) {
    RedRecorder red = byTopic.get(topic);
    if (red != null) {
      return red;
    }
    if (byTopic.size() >= MAX_CACHED_TOPICS) {
      return telemetry.endpoint(PREFIX + topic);
    }
    return byTopic.computeIfAbsent(topic, t -> telemetry.endpoint(PREFIX + t));
  }

  /**
   * The chaos cohort label of {@code record}, or null while no chaos fault is active (one field
   * read): the experiment its {@code baggage} header names when an active fault belongs to it,
   * {@link ChaosCohort#OTHER} for another name, {@link ChaosCohort#CONTROL} without one (a
   * malformed {@code baggage} header counts as none).
   */
  public static @Nullable String cohort(EventRecord record) {
    if (FaultPoints.injector() == null) {
      return null;
    }
    String baggage = record.headers().get(ContextHeaders.BAGGAGE);
    Context sent;
    if (baggage == null) {
      sent = Context.root();
    } else {
      try {
        sent = BAGGAGE_ONLY.extract(name -> ContextHeaders.BAGGAGE.equals(name) ? baggage : null);
      } catch (RuntimeException malformed) {
        sent = Context.root();
      }
    }
    String cohort = ChaosCohort.of(sent);
    // the fault may have ended between the two reads: then the record is simply not labelled
    return cohort;
  }
}
