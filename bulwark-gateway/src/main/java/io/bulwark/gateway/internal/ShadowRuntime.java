package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.gateway.TrafficConfig;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shadow of one route: which requests are mirrored (a seeded sequence, like a split), the
 * outcome counts of the comparisons and a bounded ring of the newest differences. Thread-safe.
 */
final class ShadowRuntime {
  /** What became of one mirrored request. */
  enum Outcome {
    MATCH,
    STATUS_DIFF,
    BODY_DIFF,
    SHADOW_FAILED,
    SHADOW_TIMEOUT,
    SKIPPED_BODY_TOO_LARGE,
    PRIMARY_FAILED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** One kept difference. */
  record Sample(
      Instant at,
      String correlationId,
      String method,
      String uri,
      String outcome,
      int primaryStatus,
      int shadowStatus,
      String detail) {}

  final String route;
  final TrafficConfig.Shadow config;
  final ClusterRuntime cluster;
  private final Decisions decisions;
  private final AtomicLong sequence = new AtomicLong();
  private final Map<Outcome, LongAdder> counts = new java.util.EnumMap<>(Outcome.class);
  private final LongAdder mirrored = new LongAdder();
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Sample> ring = new ArrayDeque<>();

  ShadowRuntime(
      String route, TrafficConfig.Shadow config, ClusterRuntime cluster, Decisions decisions) {
    this.route = route;
    this.config = config;
    this.cluster = cluster;
    this.decisions = decisions;
    for (Outcome o : Outcome.values()) {
      counts.put(o, new LongAdder());
    }
  }

  /** Whether the next request is mirrored. */
  boolean sample() {
    long bucket =
        Math.floorMod(
            Splitter.mix(config.seed() + sequence.getAndIncrement() * 0x9E3779B97F4A7C15L),
            (long) TrafficConfig.BUCKETS);
    boolean yes = bucket < Math.round(config.share() * (TrafficConfig.BUCKETS / 100));
    if (yes) {
      mirrored.increment();
    }
    return yes;
  }

  /**
   * Counts {@code outcome}, keeps {@code sample} (unless it is a match) and then records the
   * decision: whoever sees the decision finds the count and the sample already there.
   */
  void record(Outcome outcome, Sample sample) {
    java.util.Objects.requireNonNull(counts.get(outcome)).increment();
    if (outcome != Outcome.MATCH) {
      lock.lock();
      try {
        if (ring.size() == config.samples()) {
          ring.removeFirst();
        }
        ring.addLast(sample);
      } finally {
        lock.unlock();
      }
    }
    decisions.record("gateway-shadow-" + route, outcome.label(), sample.detail());
  }

  Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("mirrored", mirrored.sum());
    counts.forEach((o, n) -> out.put(o.label(), n.sum()));
    return out;
  }

  List<Sample> samples() {
    lock.lock();
    try {
      return new ArrayList<>(ring);
    } finally {
      lock.unlock();
    }
  }
}
