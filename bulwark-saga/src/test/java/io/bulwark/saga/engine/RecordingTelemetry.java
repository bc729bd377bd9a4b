package io.bulwark.saga.engine;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** A Telemetry that keeps every span, RED record and decision in memory for assertions. */
final class RecordingTelemetry implements Telemetry {
  record Span(
      String name,
      String traceId,
      String spanId,
      @Nullable String parentSpanId,
      boolean failed,
      boolean ended) {}

  record Red(String kind, String name, Outcome outcome) {}

  record Decision(String component, String decision, String reason) {}

  final List<Span> spans = new CopyOnWriteArrayList<>();
  final List<Red> red = new CopyOnWriteArrayList<>();
  final List<Decision> decisions = new CopyOnWriteArrayList<>();
  private final AtomicInteger open = new AtomicInteger();

  List<Span> spansNamed(String prefix) {
    return spans.stream().filter(s -> s.name().startsWith(prefix)).toList();
  }

  List<String> decisionKinds() {
    return decisions.stream().map(Decision::decision).toList();
  }

  private RedRecorder recorder(String kind, String name) {
    return new RedRecorder() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void record(Outcome outcome, long durationNanos) {
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
      public void faultInjected(String experiment, String fault) {}
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
        open.incrementAndGet();
        return new TelemetrySpan() {
          private boolean failed;
          private boolean ended;

          @Override
          public boolean isRecording() {
            return true;
          }

          @Override
          public Context context() {
            return ctx;
          }

          @Override
          public void event(String event) {}

          @Override
          public void fail(Throwable error) {
            failed = true;
          }

          @Override
          public void fail(String description) {
            failed = true;
          }

          @Override
          public void attribute(String key, String value) {}

          @Override
          public void attribute(String key, long value) {}

          @Override
          public synchronized void end() {
            if (!ended) {
              ended = true;
              open.decrementAndGet();
              spans.add(
                  new Span(
                      name,
                      own.traceId(),
                      own.spanId(),
                      up == null ? null : up.spanId(),
                      failed,
                      true));
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
