package io.bulwark.http.health;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.discovery.Endpoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Active health checks: probes every endpoint of a service on a fixed interval (on the injected
 * {@link Scheduler}) and keeps a healthy/unhealthy verdict per endpoint with hysteresis (see {@link
 * HealthCheckConfig}). New endpoints count as healthy until probes say otherwise, so a check that
 * has not run yet never empties a service. Probes are asynchronous; a probe still running when the
 * next round starts is not started twice. Thread-safe.
 */
public final class ActiveHealthChecker implements AutoCloseable {

  /** Checks one endpoint; completes with true if it is healthy (a failed stage counts as false). */
  @FunctionalInterface
  public interface Probe {
    CompletionStage<Boolean> check(Endpoint endpoint);
  }

  private static final class State {
    boolean healthy = true;
    int successes;
    int failures;
    volatile boolean probing;
  }

  private final HealthCheckConfig config;
  private final Probe probe;
  private final Supplier<List<Endpoint>> endpoints;
  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final @Nullable ScheduledTask task;
  private volatile CompletableFuture<Void> lastRound = CompletableFuture.completedFuture(null);

  public ActiveHealthChecker(
      HealthCheckConfig config,
      Scheduler scheduler,
      Supplier<List<Endpoint>> endpoints,
      Probe probe) {
    this.config = config;
    this.probe = probe;
    this.endpoints = endpoints;
    long period = Scheduler.saturatedNanos(config.interval());
    this.task = scheduler.scheduleAtFixedRate(period, period, this::probeAll);
  }

  /** Runs one round of probes now (also runs every interval). */
  public void probeAll() {
    List<Endpoint> current = endpoints.get();
    Set<String> ids = new HashSet<>();
    List<CompletableFuture<?>> round = new ArrayList<>();
    for (Endpoint e : current) {
      ids.add(e.id());
      State s = states.computeIfAbsent(e.id(), k -> new State());
      if (s.probing) {
        continue;
      }
      s.probing = true;
      CompletionStage<Boolean> result;
      try {
        result = probe.check(e);
      } catch (RuntimeException ex) {
        result = CompletableFuture.completedFuture(false);
      }
      round.add(
          result
              .whenComplete((ok, failure) -> verdict(s, failure == null && Boolean.TRUE.equals(ok)))
              .toCompletableFuture()
              .exceptionally(t -> false));
    }
    states.keySet().retainAll(ids);
    lastRound = CompletableFuture.allOf(round.toArray(CompletableFuture[]::new));
  }

  /**
   * Waits up to {@code timeout} for the probes of the latest round to finish (for tests and
   * tooling; rounds themselves never wait).
   *
   * @return true if they finished
   */
  public boolean awaitRound(java.time.Duration timeout) throws InterruptedException {
    try {
      lastRound.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  private void verdict(State s, boolean ok) {
    synchronized (s) {
      s.probing = false;
      if (ok) {
        s.failures = 0;
        if (++s.successes >= config.healthyThreshold()) {
          s.healthy = true;
        }
      } else {
        s.successes = 0;
        if (++s.failures >= config.unhealthyThreshold()) {
          s.healthy = false;
        }
      }
    }
  }

  /** The current verdict for {@code id} (true if never probed). */
  public boolean isHealthy(String id) {
    State s = states.get(id);
    if (s == null) {
      return true;
    }
    synchronized (s) {
      return s.healthy;
    }
  }

  @Override
  public void close() {
    ScheduledTask t = task;
    if (t != null) {
      t.cancel();
    }
  }
}
