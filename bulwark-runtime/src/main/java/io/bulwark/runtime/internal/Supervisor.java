package io.bulwark.runtime.internal;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.runtime.InstanceState;
import io.bulwark.runtime.RuntimeEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Restarts instances that died without being asked to stop (a kill, a child process that exited on
 * its own) when {@link io.bulwark.runtime.RuntimeOptions#restartBackoff()} is set: after the
 * backoff on the runtime's scheduler, doubling per consecutive death up to the maximum; the count
 * resets once an incarnation has stayed ready longer than the maximum backoff.
 */
final class Supervisor {
  private final InProcessRuntime runtime;
  private final Map<String, Integer> deaths = new ConcurrentHashMap<>();
  private final Map<String, Long> readySince = new ConcurrentHashMap<>();
  private final Map<String, ScheduledTask> pending = new ConcurrentHashMap<>();
  private volatile boolean closed;

  Supervisor(InProcessRuntime runtime) {
    this.runtime = runtime;
  }

  /** An incarnation got ready (resets the death count once it has lived long enough). */
  void ready(Instance instance) {
    readySince.put(instance.id(), runtime.clock().nanoTime());
  }

  /** {@code instance} died unexpectedly: schedule its restart. */
  void died(Instance instance) {
    Duration initial = runtime.options().restartBackoff();
    if (initial == null || closed) {
      return;
    }
    Duration max = runtime.options().maxRestartBackoff();
    Long since = readySince.remove(instance.id());
    if (since != null && runtime.clock().nanoTime() - since > max.toNanos()) {
      deaths.remove(instance.id());
    }
    int n = deaths.merge(instance.id(), 1, Integer::sum);
    Duration delay = backoff(initial, max, n);
    runtime.event(
        RuntimeEvent.Kind.CRASHED, instance, "restart #" + n + " in " + delay.toMillis() + " ms");
    SystemParts parts;
    try {
      parts = runtime.parts();
    } catch (IllegalStateException stopping) {
      return;
    }
    ScheduledTask task =
        parts.scheduler.schedule(
            delay.toNanos(),
            () ->
                Thread.ofVirtual().name(instance.id() + "-restart").start(() -> restart(instance)));
    ScheduledTask previous = pending.put(instance.id(), task);
    if (previous != null) {
      previous.cancel();
    }
  }

  /** initial × 2^(n-1), at most max. */
  static Duration backoff(Duration initial, Duration max, int n) {
    Duration d = initial;
    for (int i = 1; i < n && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }

  private void restart(Instance instance) {
    pending.remove(instance.id());
    if (closed) {
      return;
    }
    InstanceState s = instance.state();
    if (s != InstanceState.KILLED && s != InstanceState.FAILED) {
      return; // restarted or stopped by someone else meanwhile
    }
    try {
      instance.restartIfDead();
    } catch (RuntimeException e) {
      if (!closed) {
        died(instance);
      }
    }
  }

  /** Cancels pending restarts (the runtime stops). */
  void close() {
    closed = true;
    pending.values().forEach(ScheduledTask::cancel);
    pending.clear();
  }

  @Nullable Integer deaths(String id) {
    return deaths.get(id);
  }
}
