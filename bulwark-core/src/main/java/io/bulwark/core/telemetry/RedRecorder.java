package io.bulwark.core.telemetry;

/**
 * Records rate, errors and duration (RED) for one endpoint or one dependency. Obtain it once from
 * {@link Telemetry#endpoint(String)} or {@link Telemetry#dependency(String)} and keep it: recording
 * is then lock-free, allocation-free and never throws.
 *
 * <p>Thread-safe. In the OpenTelemetry-backed implementation counts are exact, and the request
 * counter and the histogram count come from the same cells, so they always agree; only the duration
 * sum may lag a concurrent scrape by the requests being recorded at that instant.
 */
public interface RedRecorder {

  /** The endpoint or dependency name (the overflow name once the cardinality limit is hit). */
  String name();

  /**
   * Records one finished request.
   *
   * @param outcome how it ended
   * @param durationNanos how long it took; negative values are recorded as zero
   */
  void record(Outcome outcome, long durationNanos);

  /**
   * Records one finished request of chaos cohort {@code cohort} ({@code
   * io.bulwark.core.fault.ChaosCohort}): into this recorder's series as {@link #record(Outcome,
   * long)} does, and into the cohort's own series where the implementation keeps them (the default
   * keeps none). Called only while a chaos fault is active.
   */
  default void record(Outcome outcome, long durationNanos, String cohort) {
    record(outcome, durationNanos);
  }

  /** Records a successful request. */
  default void success(long durationNanos) {
    record(Outcome.SUCCESS, durationNanos);
  }

  /** Records a failed request. */
  default void failure(long durationNanos) {
    record(Outcome.ERROR, durationNanos);
  }
}
