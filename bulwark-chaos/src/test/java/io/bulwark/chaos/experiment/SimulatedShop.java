package io.bulwark.chaos.experiment;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A system under test in virtual time: every 10 ms (at 5, 15, 25... ms), 10 requests to endpoint
 * {@code checkout}, each failing when {@link FakeFaults} picks it at point {@code http.server}; 5
 * ms each.
 */
public final class SimulatedShop implements AutoCloseable {
  final VirtualScheduler scheduler = new VirtualScheduler();
  final BulwarkTelemetry telemetry =
      BulwarkTelemetry.builder().clock(scheduler.virtualClock()).build();
  final FakeFaults faults = new FakeFaults(scheduler.clock());
  final AtomicLong sent = new AtomicLong();
  private final RedRecorder checkout = telemetry.endpoint("checkout");

  public SimulatedShop() {
    // at 5, 15, 25... ms: never at the same instant as a tick or a fault stage
    scheduler.scheduleAtFixedRate(
        Duration.ofMillis(5).toNanos(), Duration.ofMillis(10).toNanos(), this::burst);
  }

  private void burst() {
    for (int i = 0; i < 10; i++) {
      sent.incrementAndGet();
      checkout.record(faults.errorFor("http-server") ? Outcome.ERROR : Outcome.SUCCESS, 5_000_000);
    }
  }

  /** Advances virtual time (a {@code TimeDriver}). */
  public void advance(Duration d) {
    scheduler.advance(d);
  }

  public ExperimentRunner.Builder runner(Experiment e) {
    return ExperimentRunner.builder()
        .experiment(e)
        .scheduler(scheduler)
        .faults(faults)
        .telemetry(telemetry);
  }

  /** Starts {@code e}, advances virtual time past its end and returns the result. */
  ExperimentResult run(ExperimentRunner.Builder b) {
    ExperimentRun run = b.build().start();
    scheduler.advance(run.experiment().duration().plusSeconds(1));
    if (!run.isDone()) {
      throw new AssertionError("the run did not end by its duration");
    }
    return run.result().join();
  }

  @Override
  public void close() {
    telemetry.close();
  }
}
