package io.bulwark.telemetry.internal;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.time.Clock;
import io.bulwark.telemetry.RedSnapshot;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.Data;
import io.opentelemetry.sdk.metrics.data.HistogramData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.export.MetricProducer;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Hands Bulwark's own lock-free aggregates to the OpenTelemetry SDK at collection time, so every
 * OTel reader (Prometheus, OTLP) exports them. Recording never touches the SDK; only a scrape does.
 * Cumulative temporality.
 */
public final class BulwarkMetricProducer implements MetricProducer {
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
  static final AttributeKey<String> COHORT =
      AttributeKey.stringKey(io.bulwark.core.fault.ChaosCohort.LABEL);
  private static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.create("io.bulwark.telemetry");

  private final TelemetryState state;
  private final Clock clock;
  private final long startEpochNanos;
  private final List<Double> boundariesSeconds;

  public BulwarkMetricProducer(TelemetryState state, Clock clock) {
    this.state = state;
    this.clock = clock;
    this.startEpochNanos = clock.wallMillis() * 1_000_000L;
    List<Double> bounds = new ArrayList<>();
    for (long b : state.boundsNanos()) {
      bounds.add(b / 1e9);
    }
    this.boundariesSeconds = List.copyOf(bounds);
  }

  @Override
  public Collection<MetricData> produce(Resource resource) {
    long now = clock.wallMillis() * 1_000_000L;
    List<MetricData> out = new ArrayList<>();
    for (String kind : List.of(TelemetryState.ENDPOINT, TelemetryState.DEPENDENCY)) {
      List<Map.Entry<String, RedSnapshot>> plain = new ArrayList<>();
      for (RedSnapshot s : state.snapshots(kind)) {
        plain.add(Map.entry("", s));
      }
      addRed(resource, now, kind, "bulwark." + kind, plain, out);
      // chaos cohort series: only once a request was recorded in a cohort (never without chaos)
      addRed(resource, now, kind, "bulwark.chaos." + kind, state.cohortSnapshots(kind), out);
    }
    addDecisions(resource, now, out);
    addSpanLosses(resource, now, out);
    return out;
  }

  /** RED metrics {@code prefix.requests} and {@code prefix.duration}; cohort "" adds no label. */
  private void addRed(
      Resource resource,
      long now,
      String kind,
      String prefix,
      List<Map.Entry<String, RedSnapshot>> series,
      List<MetricData> out) {
    AttributeKey<String> nameKey = AttributeKey.stringKey(kind);
    List<LongPointData> counts = new ArrayList<>();
    List<HistogramPointData> histograms = new ArrayList<>();
    for (Map.Entry<String, RedSnapshot> e : series) {
      RedSnapshot s = e.getValue();
      String cohort = e.getKey();
      for (Outcome o : Outcome.values()) {
        long c = s.count(o);
        if (c > 0) {
          Attributes a =
              cohort.isEmpty()
                  ? Attributes.of(nameKey, s.name(), OUTCOME, o.label())
                  : Attributes.of(nameKey, s.name(), OUTCOME, o.label(), COHORT, cohort);
          counts.add(LongPointData.create(startEpochNanos, now, a, c));
        }
      }
      if (s.total() > 0) {
        Attributes a =
            cohort.isEmpty()
                ? Attributes.of(nameKey, s.name())
                : Attributes.of(nameKey, s.name(), COHORT, cohort);
        histograms.add(histogramPoint(now, a, s));
      }
    }
    if (!counts.isEmpty()) {
      out.add(
          metric(
              resource,
              prefix + ".requests",
              "Requests by "
                  + kind
                  + " and outcome"
                  + (prefix.contains("chaos") ? " and chaos cohort" : ""),
              "{request}",
              MetricDataType.LONG_SUM,
              SumData.createLongSumData(true, AggregationTemporality.CUMULATIVE, counts)));
      out.add(
          metric(
              resource,
              prefix + ".duration",
              "Request duration by " + kind + (prefix.contains("chaos") ? " and chaos cohort" : ""),
              "s",
              MetricDataType.HISTOGRAM,
              HistogramData.create(AggregationTemporality.CUMULATIVE, histograms)));
    }
  }

  private void addDecisions(Resource resource, long now, List<MetricData> out) {
    List<LongPointData> points = new ArrayList<>();
    state
        .decisionCounts()
        .forEach(
            (key, count) ->
                points.add(
                    LongPointData.create(
                        startEpochNanos,
                        now,
                        Attributes.of(
                            AttributeKey.stringKey("component"),
                            key.component(),
                            AttributeKey.stringKey("decision"),
                            key.decision()),
                        count)));
    long refused = state.refusedNames();
    if (refused > 0) {
      out.add(
          metric(
              resource,
              "bulwark.telemetry.overflow",
              "Lookups of new names refused by the cardinality guard",
              "{lookup}",
              MetricDataType.LONG_SUM,
              SumData.createLongSumData(
                  true,
                  AggregationTemporality.CUMULATIVE,
                  List.of(
                      LongPointData.create(startEpochNanos, now, Attributes.empty(), refused)))));
    }
    if (!points.isEmpty()) {
      out.add(
          metric(
              resource,
              "bulwark.decisions",
              "Decisions taken by resilience, HTTP, events and chaos components",
              "{decision}",
              MetricDataType.LONG_SUM,
              SumData.createLongSumData(true, AggregationTemporality.CUMULATIVE, points)));
    }
  }

  private void addSpanLosses(Resource resource, long now, List<MetricData> out) {
    long dropped = state.droppedSpans();
    if (dropped > 0) {
      out.add(
          counter(
              resource,
              now,
              "bulwark.spans.dropped",
              "Ended spans not exported because the export queue was full (or closed)",
              "{span}",
              dropped));
    }
    long failed = state.failedSpanExports();
    if (failed > 0) {
      out.add(
          counter(
              resource,
              now,
              "bulwark.span.exports.failed",
              "Batches of spans whose exporter threw",
              "{batch}",
              failed));
    }
  }

  private MetricData counter(
      Resource resource, long now, String name, String description, String unit, long value) {
    return metric(
        resource,
        name,
        description,
        unit,
        MetricDataType.LONG_SUM,
        SumData.createLongSumData(
            true,
            AggregationTemporality.CUMULATIVE,
            List.of(LongPointData.create(startEpochNanos, now, Attributes.empty(), value))));
  }

  private HistogramPointData histogramPoint(long now, Attributes attributes, RedSnapshot s) {
    List<Long> counts = new ArrayList<>(s.bucketCounts().length);
    long total = 0;
    for (long c : s.bucketCounts()) {
      counts.add(c);
      total += c;
    }
    return new Point(
        startEpochNanos, now, attributes, s.sumNanos() / 1e9, total, boundariesSeconds, counts);
  }

  private static MetricData metric(
      Resource resource,
      String name,
      String description,
      String unit,
      MetricDataType type,
      Data<?> data) {
    return new Metric(resource, SCOPE, name, description, unit, type, data);
  }

  private record Metric(
      Resource getResource,
      InstrumentationScopeInfo getInstrumentationScopeInfo,
      String getName,
      String getDescription,
      String getUnit,
      MetricDataType getType,
      Data<?> getData)
      implements MetricData {}

  private record Point(
      long getStartEpochNanos,
      long getEpochNanos,
      Attributes getAttributes,
      double getSum,
      long getCount,
      List<Double> getBoundaries,
      List<Long> getCounts)
      implements HistogramPointData {
    @Override
    public boolean hasMin() {
      return false;
    }

    @Override
    public double getMin() {
      return 0;
    }

    @Override
    public boolean hasMax() {
      return false;
    }

    @Override
    public double getMax() {
      return 0;
    }

    @Override
    public List<io.opentelemetry.sdk.metrics.data.DoubleExemplarData> getExemplars() {
      return List.of();
    }
  }
}
