package io.bulwark.telemetry.internal;

import io.bulwark.telemetry.RedSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * All recorded aggregates of one telemetry instance: RED series per endpoint and per dependency
 * (each behind a cardinality guard), decision counters per (component, decision) and the counts of
 * spans that could not be exported.
 */
public final class TelemetryState {
  public static final String ENDPOINT = "endpoint";
  public static final String DEPENDENCY = "dependency";

  /** A decision counter's labels. */
  public record DecisionKey(String component, String decision) {}

  private final long[] boundsNanos;
  private final CardinalityGuard<RedSeries> endpoints;
  private final CardinalityGuard<RedSeries> dependencies;
  private final CardinalityGuard<ConcurrentHashMap<String, LongAdder>> decisions;
  private final int maxNames;
  private final LongAdder droppedSpans = new LongAdder();
  private final LongAdder failedSpanExports = new LongAdder();

  public TelemetryState(long[] boundsNanos, int maxNames) {
    this.boundsNanos = boundsNanos.clone();
    this.maxNames = maxNames;
    this.endpoints = new CardinalityGuard<>(maxNames, n -> new RedSeries(ENDPOINT, n, boundsNanos));
    this.dependencies =
        new CardinalityGuard<>(maxNames, n -> new RedSeries(DEPENDENCY, n, boundsNanos));
    this.decisions = new CardinalityGuard<>(maxNames, n -> new ConcurrentHashMap<>());
  }

  public long[] boundsNanos() {
    return boundsNanos.clone();
  }

  public RedSeries endpoint(String name) {
    return endpoints.get(name);
  }

  public RedSeries dependency(String name) {
    return dependencies.get(name);
  }

  /** Counts one decision; at most {@code maxNames} components and decisions per component. */
  public void countDecision(String component, String decision) {
    ConcurrentHashMap<String, LongAdder> byDecision = decisions.get(component);
    LongAdder adder = byDecision.get(decision);
    if (adder == null) {
      if (byDecision.size() >= maxNames) {
        decision = CardinalityGuard.OVERFLOW_NAME;
      }
      adder = byDecision.computeIfAbsent(decision, d -> new LongAdder());
    }
    adder.increment();
  }

  public List<RedSnapshot> snapshots(String kind) {
    CardinalityGuard<RedSeries> guard = kind.equals(ENDPOINT) ? endpoints : dependencies;
    List<RedSnapshot> out = new ArrayList<>();
    for (RedSeries s : guard.values()) {
      out.add(s.snapshot());
    }
    RedSnapshot overflow = guard.overflow().snapshot();
    if (overflow.total() > 0) {
      out.add(overflow);
    }
    return out;
  }

  /** The chaos cohort series of every series of {@code kind}: (cohort label, snapshot) pairs. */
  public List<Map.Entry<String, RedSnapshot>> cohortSnapshots(String kind) {
    CardinalityGuard<RedSeries> guard = kind.equals(ENDPOINT) ? endpoints : dependencies;
    List<Map.Entry<String, RedSnapshot>> out = new ArrayList<>();
    for (RedSeries s : guard.values()) {
      out.addAll(s.cohortSnapshots().entrySet());
    }
    return out;
  }

  public Map<DecisionKey, Long> decisionCounts() {
    Map<DecisionKey, Long> out = new LinkedHashMap<>();
    addDecisions(CardinalityGuard.OVERFLOW_NAME, decisions.overflow(), out);
    for (var e : decisionsByComponent().entrySet()) {
      addDecisions(e.getKey(), e.getValue(), out);
    }
    return out;
  }

  private Map<String, ConcurrentHashMap<String, LongAdder>> decisionsByComponent() {
    Map<String, ConcurrentHashMap<String, LongAdder>> out = new LinkedHashMap<>();
    decisions.forEach(out::put);
    return out;
  }

  private static void addDecisions(
      String component, Map<String, LongAdder> byDecision, Map<DecisionKey, Long> out) {
    byDecision.forEach((d, c) -> out.put(new DecisionKey(component, d), c.sum()));
  }

  /** Counts one ended span that was not queued for export (queue full or shut down). */
  public void countDroppedSpan() {
    droppedSpans.increment();
  }

  public long droppedSpans() {
    return droppedSpans.sum();
  }

  /** Counts one batch of spans whose export threw. */
  public void countFailedSpanExport() {
    failedSpanExports.increment();
  }

  public long failedSpanExports() {
    return failedSpanExports.sum();
  }

  /** Lookups of new names that the guards sent to the overflow series. */
  public long refusedNames() {
    return endpoints.refusedLookups() + dependencies.refusedLookups() + decisions.refusedLookups();
  }
}
