package io.bulwark.chaos.cohort;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.RedSnapshot;
import io.bulwark.test.RecordingTelemetry;
import java.util.Map;
import java.util.TreeMap;

/**
 * Real metrics, recorded spans: RED and decisions go to a real {@link BulwarkTelemetry} (with its
 * cohort series), spans to a {@link RecordingTelemetry} that keeps every attribute for assertions.
 */
public final class LabelTelemetry implements Telemetry, AutoCloseable {
  public final BulwarkTelemetry metrics = BulwarkTelemetry.builder().build();
  public final RecordingTelemetry spans = new RecordingTelemetry();

  /**
   * Skips the calling test unless SLF4J logs through Logback: the chaos module's {@code
   * cohort-log-labels} surefire execution, where {@link LogCapture} receives every line (the
   * default execution runs with slf4j-simple and without Logback on the class path).
   */
  public static void assumeLogback() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "ch.qos.logback.classic.LoggerContext"
            .equals(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName()),
        "logs through Logback only in the cohort-log-labels execution");
  }

  @Override
  public RedRecorder endpoint(String name) {
    return metrics.endpoint(name);
  }

  @Override
  public RedRecorder dependency(String name) {
    return metrics.dependency(name);
  }

  @Override
  public Decisions decisions() {
    return metrics.decisions();
  }

  @Override
  public Tracing tracing() {
    return spans.tracing();
  }

  /**
   * Request counts of RED series {@code name} ({@code kind} endpoint or dependency) by chaos cohort
   * label; empty when it was never recorded in a cohort.
   */
  public Map<String, Long> cohortCounts(String kind, String name) {
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, RedSnapshot> e : metrics.cohortSnapshots(kind)) {
      if (e.getValue().name().equals(name)) {
        out.put(e.getKey(), e.getValue().total());
      }
    }
    return out;
  }

  /** Error counts (every outcome but success) of series {@code name} by chaos cohort label. */
  public Map<String, Long> cohortErrors(String kind, String name) {
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, RedSnapshot> e : metrics.cohortSnapshots(kind)) {
      if (e.getValue().name().equals(name)) {
        out.put(
            e.getKey(),
            e.getValue().total() - e.getValue().count(io.bulwark.core.telemetry.Outcome.SUCCESS));
      }
    }
    return out;
  }

  /** Request count of the ordinary (unlabelled) series {@code name}. */
  public long total(String kind, String name) {
    return metrics.redSnapshots(kind).stream()
        .filter(s -> s.name().equals(name))
        .mapToLong(RedSnapshot::total)
        .sum();
  }

  @Override
  public void close() {
    metrics.close();
  }
}
