package io.bulwark.bench.chaos;

import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.core.context.Context;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of the chaos cohort label on HTTP RED recording. The {@code bulwark} sides run the
 * server's recording step as it is (the cohort of the request's context — {@code ChaosCohort.of},
 * one field read while no fault is active — then the RED record, into the cohort's series too when
 * there is a label), the {@code without} sides the plain RED record of the same request into the
 * same real {@code BulwarkTelemetry} series. {@code redRecord}: no fault active (chaos enabled, a
 * fault started and cleared); {@code redRecordOtherCohortActive}: a fault of another experiment is
 * active (at a point no request reaches), so every request of this service is labelled {@code
 * control} and recorded twice. JMH runs each method in its own fork, so the process-wide fault of
 * one never reaches the other.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LabelledRedBenchmark {
  private static final long NANOS = 3_500_000;

  /** A server's RED series and a request context (correlation id, no baggage). */
  @State(Scope.Benchmark)
  public static class Red {
    BulwarkTelemetry telemetry;
    RedRecorder red;
    final Context request = Context.root().withCorrelationId("req-1");

    @Setup(Level.Trial)
    public void open() {
      telemetry = BulwarkTelemetry.builder().build();
      red = telemetry.endpoint("GET /orders/{id}");
    }

    @TearDown(Level.Trial)
    public void close() {
      telemetry.close();
    }
  }

  /** Chaos enabled; a fault was started and cleared: no injector installed. */
  @State(Scope.Benchmark)
  public static class NoFault {
    Chaos chaos;

    @Setup(Level.Trial)
    public void startAndClear() {
      chaos = Chaos.create(ChaosConfig.enabledDefaults());
      var f =
          chaos.start(new Fault.HttpError(503), BlastRadius.everything(), Duration.ofMinutes(1));
      chaos.clear(f.id());
      if (FaultPoints.injector() != null) {
        throw new IllegalStateException("no fault may be active");
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      chaos.close();
    }
  }

  /** A fault of experiment {@code exp-other} is active for the whole trial. */
  @State(Scope.Benchmark)
  public static class OtherCohortFault {
    Chaos chaos;

    @Setup(Level.Trial)
    public void start() {
      chaos = Chaos.create(ChaosConfig.enabledDefaults());
      chaos.start(
          new FaultSpec(
              Fault.Latency.of(Duration.ofMillis(1)),
              BlastRadius.builder().points(FaultPointKind.USER).route("never-reached").build(),
              Duration.ofHours(1),
              "exp-other",
              0));
      if (!ChaosCohort.CONTROL.equals(ChaosCohort.of(Context.root()))) {
        throw new IllegalStateException("the fault must be active");
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      chaos.close();
    }
  }

  private static void labelled(Red r) {
    String cohort = ChaosCohort.of(r.request);
    if (cohort == null) {
      r.red.record(Outcome.SUCCESS, NANOS);
    } else {
      r.red.record(Outcome.SUCCESS, NANOS, cohort);
    }
  }

  @Benchmark
  public void redRecord_bulwark(Red r, NoFault chaosOff) {
    labelled(r);
  }

  @Benchmark
  public void redRecord_without(Red r, NoFault chaosOff) {
    r.red.record(Outcome.SUCCESS, NANOS);
  }

  @Benchmark
  public void redRecordOtherCohortActive_bulwark(Red r, OtherCohortFault active) {
    labelled(r);
  }

  @Benchmark
  public void redRecordOtherCohortActive_without(Red r, OtherCohortFault active) {
    r.red.record(Outcome.SUCCESS, NANOS);
  }
}
