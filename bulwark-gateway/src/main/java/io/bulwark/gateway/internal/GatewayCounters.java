package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.MetricsScrape;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.Clock;
import io.bulwark.gateway.GatewayStats;
import io.bulwark.gateway.RouteConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The counts behind {@link GatewayStats}: a {@link Telemetry} in front of the gateway's own that
 * counts every RED record of a route ({@code endpoint}) or cluster ({@code dependency}) by name and
 * outcome before passing it on, plus the reload history. The recorders are created once per route
 * and cluster when a config is built, so the data path pays two {@link LongAdder} increments per
 * record and no lookup.
 */
public final class GatewayCounters implements Telemetry {
  private static final int KEEP_RELOADS = 50;

  private final Telemetry delegate;
  private final Clock clock;
  private final Map<String, Counts> endpoints = new ConcurrentHashMap<>();
  private final Map<String, Counts> dependencies = new ConcurrentHashMap<>();
  private final ArrayDeque<GatewayStats.Reload> reloads = new ArrayDeque<>();
  private final ReentrantLock reloadLock = new ReentrantLock();

  public GatewayCounters(Telemetry delegate, Clock clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  /** Counts of one name by outcome. */
  static final class Counts {
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder nanos = new LongAdder();

    void add(Outcome outcome, long durationNanos) {
      requests.increment();
      nanos.add(Math.max(0, durationNanos));
      switch (outcome) {
        case SUCCESS -> {}
        case TIMEOUT -> timeouts.increment();
        case REJECTED -> refused.increment();
        default -> errors.increment();
      }
    }
  }

  private static RedRecorder counting(RedRecorder inner, Counts counts) {
    return new RedRecorder() {
      @Override
      public String name() {
        return inner.name();
      }

      @Override
      public void record(Outcome outcome, long durationNanos) {
        counts.add(outcome, durationNanos);
        inner.record(outcome, durationNanos);
      }

      @Override
      public void record(Outcome outcome, long durationNanos, String cohort) {
        counts.add(outcome, durationNanos);
        inner.record(outcome, durationNanos, cohort);
      }
    };
  }

  @Override
  public RedRecorder endpoint(String name) {
    return counting(delegate.endpoint(name), endpoints.computeIfAbsent(name, n -> new Counts()));
  }

  @Override
  public RedRecorder dependency(String name) {
    return counting(
        delegate.dependency(name), dependencies.computeIfAbsent(name, n -> new Counts()));
  }

  @Override
  public Decisions decisions() {
    return delegate.decisions();
  }

  @Override
  public Tracing tracing() {
    return delegate.tracing();
  }

  @Override
  public Optional<MetricsScrape> scrape() {
    return delegate.scrape();
  }

  /** Records a successful reload that put {@code version} in force. */
  public void reloaded(long version, List<String> changes) {
    reloadLock.lock();
    try {
      reloads.addLast(new GatewayStats.Reload(version, clock.wallMillis(), changes));
      while (reloads.size() > KEEP_RELOADS) {
        reloads.removeFirst();
      }
    } finally {
      reloadLock.unlock();
    }
  }

  /** The stats of {@code engine}'s config in force now. */
  public GatewayStats stats(Engine engine) {
    Snapshot s = engine.snapshotNow();
    List<GatewayStats.Route> routes = new ArrayList<>();
    for (RouteConfig r : s.config.routes()) {
      Counts c = endpoints.getOrDefault(r.name(), new Counts());
      routes.add(
          new GatewayStats.Route(
              r.name(),
              target(r),
              r.match().pathKind().name().toLowerCase(Locale.ROOT)
                  + " "
                  + r.match().path()
                  + (r.match().hosts().isEmpty() ? "" : " hosts " + r.match().hosts())
                  + (r.match().methods().isEmpty() ? "" : " " + r.match().methods()),
              c.requests.sum(),
              c.errors.sum(),
              c.timeouts.sum(),
              c.refused.sum(),
              c.nanos.sum()));
    }
    List<GatewayStats.Cluster> clusters = new ArrayList<>();
    for (ClusterRuntime c : s.clusters.values()) {
      Counts d = dependencies.getOrDefault(c.config.name(), new Counts());
      List<GatewayStats.Endpoint> eps = new ArrayList<>();
      for (ClusterRuntime.EndpointView e : c.endpoints()) {
        eps.add(new GatewayStats.Endpoint(e.id(), e.address(), e.status(), e.inFlight()));
      }
      clusters.add(
          new GatewayStats.Cluster(
              c.config.name(),
              d.requests.sum(),
              d.errors.sum() + d.timeouts.sum() + d.refused.sum(),
              eps));
    }
    List<GatewayStats.Reload> history;
    reloadLock.lock();
    try {
      history = List.copyOf(reloads);
    } finally {
      reloadLock.unlock();
    }
    return new GatewayStats(s.version, routes, clusters, history);
  }

  private static String target(RouteConfig r) {
    if (r.cluster() != null) {
      return r.cluster();
    }
    RouteConfig.Redirect redirect = r.redirect();
    if (redirect != null) {
      return "redirect " + redirect.location();
    }
    return "aggregate";
  }
}
