package io.bulwark.runtime.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.events.EventLog;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.runtime.autoscale.AutoscaleSpec;
import io.bulwark.runtime.autoscale.Autoscaler;
import io.bulwark.runtime.autoscale.LoadProbe;
import io.bulwark.runtime.autoscale.RuntimeAutoscaling;
import io.bulwark.runtime.autoscale.ScalingDecision;
import io.bulwark.runtime.autoscale.ScalingPolicy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The autoscalers of the services whose spec has an {@link AutoscaleSpec}: started on the runtime's
 * scheduler once the system is up, closed first when it stops. Each reads its load from the
 * runtime's time-series store (and, for the event-lag policy, the consumer lag of the runtime's
 * event log), scales through {@link SystemRuntime#scale}, and hands every decision to the runtime's
 * listeners ({@code RuntimeListener.onDecision}); a decision that changes the count is also a
 * {@code SCALED}-feed event (by the scale itself).
 */
final class SystemAutoscalers {
  private final List<Autoscaler> running = new CopyOnWriteArrayList<>();

  /** Refuses a model whose lag-autoscaled services have no event log to read, naming them. */
  static void check(SystemModel model, RuntimeOptions options) {
    for (ServiceSpec s : model.services()) {
      AutoscaleSpec a = s.autoscale().orElse(null);
      if (a != null && a.topic().isPresent() && options.eventLog() == null) {
        throw new IllegalArgumentException(
            "service "
                + s.name()
                + " autoscales on the consumer lag of group "
                + a.group().orElse("?")
                + " on topic "
                + a.topic().orElse("?")
                + ", but the runtime has no event log (RuntimeOptions.eventLog)");
      }
    }
  }

  void start(
      SystemRuntime runtime,
      SystemModel model,
      RuntimeOptions options,
      Scheduler scheduler,
      Listeners listeners) {
    for (ServiceSpec s : model.services()) {
      AutoscaleSpec a = s.autoscale().orElse(null);
      if (a != null) {
        running.add(start(runtime, s.name(), a, options.eventLog(), scheduler, listeners));
      }
    }
  }

  private static <M> Autoscaler start(
      SystemRuntime runtime,
      String service,
      AutoscaleSpec a,
      @Nullable EventLog log,
      Scheduler scheduler,
      Listeners listeners) {
    @SuppressWarnings("unchecked")
    ScalingPolicy<M> policy = (ScalingPolicy<M>) a.policy();
    LoadProbe probe = RuntimeAutoscaling.probe(runtime.metrics(), service, a.window());
    if (log != null && a.topic().isPresent() && a.group().isPresent()) {
      probe = RuntimeAutoscaling.withConsumerLag(probe, log, a.group().get(), a.topic().get());
    }
    return Autoscaler.builder(service, policy)
        .probe(probe)
        .scaler(RuntimeAutoscaling.scaler(runtime))
        .scheduler(scheduler)
        .sampleEvery(a.sampleEvery())
        .decideEvery(a.decideEvery())
        .listener((ScalingDecision d) -> listeners.fire(l -> l.onDecision(d)))
        .build()
        .start();
  }

  List<Autoscaler> running() {
    return List.copyOf(running);
  }

  void close() {
    for (Autoscaler a : running) {
      a.close();
    }
    running.clear();
  }
}
