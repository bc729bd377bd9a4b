package io.bulwark.bench.chaos;

import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
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
 * The cost of the installed but inactive fault injection point of the HTTP client's attempt path.
 * Both sides run the same step of {@code ClientEngine.attempt} around the point — the caller's
 * deadline read from the current context and the attempt timeout {@code min(timeout, deadline
 * left)} — and the {@code bulwark} side adds the point exactly as the client runs it ({@code
 * FaultPoints.injector()}, and a decision only when one is installed). Chaos is enabled, and a
 * fault was started and cleared before measuring, so the point is in the state a service is in
 * between experiments.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InactivePointBenchmark {
  private static final long TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();
  private final FaultSite site =
      new FaultSite(FaultPointKind.HTTP_CLIENT, "inventory", "127.0.0.1:8080", "/stock/1");
  private Chaos chaos;

  @Setup(Level.Trial)
  public void enableChaosStartAndClearAFault() {
    chaos = Chaos.create(ChaosConfig.enabledDefaults());
    var f = chaos.start(new Fault.HttpError(503), BlastRadius.everything(), Duration.ofMinutes(1));
    chaos.clear(f.id());
    if (FaultPoints.injector() != null) {
      throw new IllegalStateException("the point must be inactive once the fault is cleared");
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    chaos.close();
  }

  @Benchmark
  public long inactivePoint_bulwark() {
    long left = deadlineLeft();
    FaultInjector faults = FaultPoints.injector();
    if (faults != null) {
      FaultAction fault = faults.decide(site);
      if (fault != null) {
        return -1;
      }
    }
    return Math.min(TIMEOUT_NANOS, left);
  }

  @Benchmark
  public long inactivePoint_without() {
    long left = deadlineLeft();
    return Math.min(TIMEOUT_NANOS, left);
  }

  private static long deadlineLeft() {
    Deadline deadline = Context.current().deadline();
    return deadline == null ? Long.MAX_VALUE : deadline.remainingNanos();
  }
}
