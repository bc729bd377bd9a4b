package io.bulwark.test;

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
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Telemetry} that keeps in memory, for assertions, every ended span (with its ids,
 * attributes, events and failure), every RED record, every decision and every injected fault. Every
 * span records; {@code tracing().openSpans()} counts the spans started and not yet ended.
 */
public final class RecordingTelemetry implements Telemetry {
  /** An ended span. */
  public record Span(
      String name,
      SpanKind kind,
      String traceId,
      String spanId,
      @Nullable String parentSpanId,
      @Nullable String correlationId,
      Map<String, String> attributes,
      List<String> events,
      boolean failed) {}

  /** One RED record: {@code kind} is {@code endpoint} or {@code dependency}. */
  public record Red(String kind, String name, Outcome outcome) {}

  /** One decision of a policy or component. */
  public record Decision(String component, String decision, String reason) {}

  /** One fault injected by a chaos experiment. */
  public record Injection(String experiment, String fault) {}

  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final List<Red> red = new CopyOnWriteArrayList<>();
  private final Map<String, List<Long>> durations = new ConcurrentHashMap<>();
  private final List<Decision> decisions = new CopyOnWriteArrayList<>();
  private final List<Injection> injections = new CopyOnWriteArrayList<>();
  private final AtomicInteger open = new AtomicInteger();

  /** The ended spans, in the order they ended. */
  public List<Span> spans() {
    return spans;
  }

  /** The ended spans whose name starts with {@code prefix}. */
  public List<Span> spansNamed(String prefix) {
    return spans.stream().filter(s -> s.name().startsWith(prefix)).toList();
  }

  /** The ended spans of {@code kind}. */
  public List<Span> spans(SpanKind kind) {
    return spans.stream().filter(s -> s.kind() == kind).toList();
  }

  /** The RED records, in order. */
  public List<Red> red() {
    return red;
  }

  /**
   * The durations (negative ones as zero, as the recorder contract says) of the RED records named
   * {@code name}, in the order they were recorded.
   */
  public List<Long> durationsNanos(String name) {
    List<Long> d = durations.get(name);
    return d == null ? List.of() : List.copyOf(d);
  }

  /** The decisions recorded, in order. */
  public List<Decision> recordedDecisions() {
    return decisions;
  }

  /** The decision kinds ({@link Decision#decision()}), in order. */
  public List<String> decisionKinds() {
    return decisions.stream().map(Decision::decision).toList();
  }

  /** The injected faults, in order. */
  public List<Injection> injections() {
    return injections;
  }

  private RedRecorder recorder(String kind, String name) {
    return new RedRecorder() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void record(Outcome outcome, long durationNanos) {
        durations
            .computeIfAbsent(name, n -> new CopyOnWriteArrayList<>())
            .add(Math.max(0, durationNanos));
        red.add(new Red(kind, name, outcome));
      }
    };
  }

  @Override
  public RedRecorder endpoint(String name) {
    return recorder("endpoint", name);
  }

  @Override
  public RedRecorder dependency(String name) {
    return recorder("dependency", name);
  }

  @Override
  public Decisions decisions() {
    return new Decisions() {
      @Override
      public void record(String component, String decision, String reason) {
        decisions.add(new Decision(component, decision, reason));
      }

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
        open.incrementAndGet();
        return new TelemetrySpan() {
          private volatile boolean failed;
          private final AtomicInteger ended = new AtomicInteger();

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
          public void fail(Throwable error) {
            failed = true;
          }

          @Override
          public void fail(String description) {
            failed = true;
          }

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
            if (ended.getAndIncrement() == 0) {
              open.decrementAndGet();
              spans.add(
                  new Span(
                      name,
                      kind,
                      own.traceId(),
                      own.spanId(),
                      up == null ? null : up.spanId(),
                      parent.correlationId(),
                      Map.copyOf(attributes),
                      List.copyOf(events),
                      failed));
            }
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
        return open.get();
      }
    };
  }
}
