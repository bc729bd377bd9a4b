package io.bulwark.runtime.autoscale;

import io.bulwark.core.config.Checks;
import io.bulwark.events.EventLog;
import io.bulwark.events.PartitionLag;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.InstanceState;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.time.Duration;
import java.util.Map;

/**
 * Connects an {@link Autoscaler} to a {@link SystemRuntime}: the runtime as the {@link Scaler}
 * ({@link SystemRuntime#scale}) and the runtime's time-series store ({@link
 * SystemRuntime#metrics()}) as the {@link LoadProbe}.
 *
 * <pre>{@code
 * Autoscaler.builder("cart", policy)
 *     .scaler(RuntimeAutoscaling.scaler(runtime))
 *     .probe(RuntimeAutoscaling.probe(runtime.metrics(), "cart", Duration.ofSeconds(10)))
 *     .scheduler(scheduler)
 *     .build()
 *     .start();
 * }</pre>
 */
public final class RuntimeAutoscaling {
  static final String REQUESTS = "bulwark_instance_requests_total";
  static final String DURATION_SUM = "bulwark_instance_duration_seconds_sum";

  private RuntimeAutoscaling() {}

  /**
   * The runtime as a scaler: instances are the service's instances that are starting or ready,
   * ready ones are {@link InstanceState#READY}, and {@link Scaler#scale} is {@link
   * SystemRuntime#scale} (which keeps at least one instance: a request for zero scales to one).
   */
  public static Scaler scaler(SystemRuntime runtime) {
    Checks.notNull("runtime", runtime);
    return new Scaler() {
      @Override
      public int instances(String service) {
        int n = 0;
        for (InstanceHandle h : runtime.instances(service)) {
          if (h.state() == InstanceState.READY || h.state() == InstanceState.STARTING) {
            n++;
          }
        }
        return n;
      }

      @Override
      public int readyInstances(String service) {
        int n = 0;
        for (InstanceHandle h : runtime.instances(service)) {
          if (h.state() == InstanceState.READY) {
            n++;
          }
        }
        return n;
      }

      @Override
      public void scale(String service, int instances) {
        runtime.scale(service, Math.max(1, instances));
      }
    };
  }

  /**
   * A probe reading {@code service}'s load from {@code store} over the last {@code window} (a
   * multiple of the store's resolution): request rate = requests counted / window; concurrency by
   * Little's law = latency seconds summed / window (requests in flight on average). The store has
   * no percentile and no consumer lag: the probe reports both as 0.
   */
  public static LoadProbe probe(TimeSeriesStore store, String service, Duration window) {
    Checks.notNull("store", store);
    Checks.notBlank("service", service);
    double seconds = Checks.positive("window", window).toNanos() / 1e9;
    Map<String, String> selector = Map.of("service", service);
    return now ->
        new LoadProbe.Load(
            Math.max(0, store.sumIncrease(REQUESTS, selector, window) / seconds),
            Math.max(0, store.sumIncrease(DURATION_SUM, selector, window) / seconds),
            0,
            0);
  }

  /**
   * {@code base} with its consumer lag read from {@code log}: the records {@code group} has yet to
   * process on every partition of {@code topic} ({@link EventLog#consumerLag(String, String)},
   * summed), for {@link LagScaling}. The embedded log answers from memory; Kafka with admin
   * requests on the autoscaler's thread.
   */
  public static LoadProbe withConsumerLag(
      LoadProbe base, EventLog log, String group, String topic) {
    Checks.notNull("base", base);
    Checks.notNull("log", log);
    Checks.notBlank("group", group);
    Checks.notBlank("topic", topic);
    return now -> {
      LoadProbe.Load load = base.read(now);
      long lag = 0;
      for (PartitionLag l : log.consumerLag(group, topic)) {
        lag += l.lag();
      }
      return new LoadProbe.Load(load.requestRate(), load.concurrency(), load.p99Millis(), lag);
    };
  }

  /** A probe that reports only {@code group}'s consumer lag on {@code topic} (rates 0). */
  public static LoadProbe consumerLag(EventLog log, String group, String topic) {
    return withConsumerLag(now -> new LoadProbe.Load(0, 0, 0, 0), log, group, topic);
  }
}
