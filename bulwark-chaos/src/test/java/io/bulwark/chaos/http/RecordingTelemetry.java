package io.bulwark.chaos.http;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** A Telemetry that keeps ended spans (with their attributes and events) and decisions. */
final class RecordingTelemetry implements Telemetry {
  record Span(
      String name,
      SpanKind kind,
      @Nullable String correlationId,
      Map<String, String> attributes,
      List<String> events) {}

  record Injection(String experiment, String fault) {}

  final List<Span> spans = new CopyOnWriteArrayList<>();
  final List<Injection> injections = new CopyOnWriteArrayList<>();

  List<Span> spans(SpanKind kind) {
    return spans.stream().filter(s -> s.kind() == kind).toList();
  }

  private static RedRecorder recorder(String name) {
    return new RedRecorder() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void record(Outcome outcome, long durationNanos) {}
    };
  }

  @Override
  public RedRecorder endpoint(String name) {
    return recorder(name);
  }

  @Override
  public RedRecorder dependency(String name) {
    return recorder(name);
  }

  @Override
  public Decisions decisions() {
    return new Decisions() {
      @Override
      public void record(String component, String decision, String reason) {}

      @Override
      public void circuitTransition(String breaker, String from, String to, String reason) {}

      @Override
      public void retry(String policy, int attempt, Duration backoff, @Nullable Throwable cause) {}

      @Override
      public void shed(String component, String reason) {}

      @Override
      public void faultInjected(String experiment, String fault) {
        injections.add(new Injection(experiment, fault));
      }
    };
  }

  @Override
  public Tracing tracing() {
    return new Tracing() {
      @Override
      public TelemetrySpan startSpan(String name, SpanKind kind, Context parent) {
        TraceContext up = parent.trace();
        TraceContext own = up == null ? TraceContext.newTrace(true) : up.newChildSpan();
        Context ctx = parent.withTrace(own);
        Map<String, String> attributes = new ConcurrentHashMap<>();
        List<String> events = new CopyOnWriteArrayList<>();
        return new TelemetrySpan() {
          @Override
          public boolean isRecording() {
            return true;
          }

          @Override
          public Context context() {
            return ctx;
          }

          @Override
          public void event(String event) {
            events.add(event);
          }

          @Override
          public void fail(Throwable error) {}

          @Override
          public void fail(String description) {}

          @Override
          public void attribute(String key, String value) {
            attributes.put(key, value);
          }

          @Override
          public void attribute(String key, long value) {
            attributes.put(key, Long.toString(value));
          }

          @Override
          public void end() {
            spans.add(new Span(name, kind, parent.correlationId(), Map.copyOf(attributes), events));
          }
        };
      }

      @Override
      public TelemetrySpan startSpan(
          String name, SpanKind kind, Context parent, TraceContext linked) {
        return startSpan(name, kind, parent);
      }

      @Override
      public boolean mayRecord(Context parent) {
        return true;
      }

      @Override
      public int openSpans() {
        return 0;
      }
    };
  }
}
