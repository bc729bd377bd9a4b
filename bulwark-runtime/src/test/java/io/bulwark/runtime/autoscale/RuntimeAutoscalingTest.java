package io.bulwark.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.InstanceState;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.ServiceInstance;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.telemetry.store.SeriesKey;
import io.bulwark.telemetry.store.TimeSeriesStore;
import io.bulwark.test.VirtualClock;
import io.bulwark.test.VirtualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoscaler wired to a real in-process runtime (instances started and stopped through {@link
 * SystemRuntime#scale}), and the probe reading a service's load from the runtime's store.
 */
class RuntimeAutoscalingTest {
  @TempDir Path root;

  @Test
  void theProbeReadsRateAndLittlesLawConcurrencyOfOneServiceFromTheStore() {
    VirtualClock clock = new VirtualClock();
    TimeSeriesStore store =
        TimeSeriesStore.builder()
            .clock(clock)
            .resolution(Duration.ofSeconds(1))
            .retention(Duration.ofMinutes(5))
            .build();
    SeriesKey r0 =
        SeriesKey.of(RuntimeAutoscaling.REQUESTS, "service", "cart", "instance", "cart-0");
    SeriesKey r1 =
        SeriesKey.of(RuntimeAutoscaling.REQUESTS, "service", "cart", "instance", "cart-1");
    SeriesKey d0 =
        SeriesKey.of(RuntimeAutoscaling.DURATION_SUM, "service", "cart", "instance", "cart-0");
    SeriesKey other =
        SeriesKey.of(RuntimeAutoscaling.REQUESTS, "service", "ads", "instance", "ads-0");
    store.record(r0, 100);
    store.record(r1, 0);
    store.record(d0, 1);
    store.record(other, 0);
    clock.advance(Duration.ofSeconds(10));
    store.record(r0, 800);
    store.record(r1, 700);
    store.record(d0, 71);
    store.record(other, 5000);
    LoadProbe.Load load =
        RuntimeAutoscaling.probe(store, "cart", Duration.ofSeconds(10)).read(clock.nanoTime());
    assertThat(load.requestRate()).isEqualTo(140.0); // (700 + 700) / 10 s
    assertThat(load.concurrency()).isEqualTo(7.0); // 70 s of latency in 10 s
  }

  @Test
  void theAutoscalerScalesARealServiceOutAndBackIn() {
    ServiceSpec spec =
        ServiceSpec.builder(
                "inventory",
                ctx -> {
                  ctx.server().get("/ping", req -> Response.text(200, "pong"));
                  return new ServiceInstance() {
                    @Override
                    public void close() {}
                  };
                })
            .build();
    AtomicReference<Double> rate = new AtomicReference<>(700.0);
    VirtualScheduler scheduler = new VirtualScheduler();
    try (SystemRuntime runtime =
        SystemRuntime.inProcess(
            SystemModel.builder("s").service(spec).build(),
            RuntimeOptions.builder(root).drainBudget(Duration.ofMillis(300)).build())) {
      runtime.start();
      Autoscaler autoscaler =
          Autoscaler.builder(
                  "inventory",
                  TargetTracking.builder(Metric.REQUEST_RATE, 350)
                      .scaleDownStabilisation(Duration.ZERO)
                      .maxInstances(3)
                      .build())
              .scaler(RuntimeAutoscaling.scaler(runtime))
              .probe(now -> new LoadProbe.Load(rate.get(), 0, 0, 0))
              .scheduler(scheduler)
              .executor(Runnable::run)
              .sampleEvery(Duration.ofSeconds(5))
              .decideEvery(Duration.ofSeconds(15))
              .build()
              .start();
      scheduler.advance(Duration.ofSeconds(15));
      assertThat(runtime.instances("inventory"))
          .extracting(InstanceHandle::state)
          .containsExactly(InstanceState.READY, InstanceState.READY);
      rate.set(2000.0);
      scheduler.advance(Duration.ofSeconds(15));
      assertThat(readyCount(runtime)).isEqualTo(3); // 2000 / 350 = 6, clamped to 3
      rate.set(10.0);
      scheduler.advance(Duration.ofSeconds(15));
      assertThat(readyCount(runtime)).isEqualTo(1);
      assertThat(autoscaler.decisions())
          .extracting(d -> d.from() + "->" + d.to())
          .containsExactly("1->2", "2->3", "3->1");
      autoscaler.close();
    }
  }

  private static long readyCount(SystemRuntime runtime) {
    return runtime.instances("inventory").stream()
        .filter(h -> h.state() == InstanceState.READY)
        .count();
  }
}
