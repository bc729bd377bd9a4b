package io.bulwark.saga.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultTag;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.TelemetrySpan;
import org.jspecify.annotations.Nullable;

/**
 * The chaos cohort of a saga run on its telemetry. A run keeps the context it started under (its
 * baggage included) in its stored row, so a run started in a chaos cohort ({@code chaos.experiment}
 * baggage) stays in it across executors and after recovery from a crash; its run and step spans get
 * {@value ChaosCohort#SPAN_ATTRIBUTE}, its run and step RED records go to the cohort's series too,
 * and its steps' log lines are stamped by the context appender (they run under the run's context).
 * A step attempt a chaos fault acted on is labelled with the fault's experiment. Without an active
 * fault every method costs one field read.
 */
final class SagaCohort {
  private SagaCohort() {}

  /**
   * The label of the run's {@code context}, or of {@code fault} when one acted; null without chaos.
   */
  static @Nullable String of(Context context, @Nullable FaultTag fault) {
    if (FaultPoints.injector() == null) {
      return null;
    }
    return fault != null ? ChaosCohort.of(fault) : ChaosCohort.of(context);
  }

  /** Tags {@code span} with the cohort while a chaos fault is active. */
  static void tag(TelemetrySpan span, Context context, @Nullable FaultTag fault) {
    String cohort = of(context, fault);
    if (cohort != null) {
      span.attribute(ChaosCohort.SPAN_ATTRIBUTE, cohort);
    }
  }

  /** Records into {@code red}, and into the cohort's series while a chaos fault is active. */
  static void record(
      RedRecorder red, Outcome outcome, long nanos, Context context, @Nullable FaultTag fault) {
    String cohort = of(context, fault);
    if (cohort == null) {
      red.record(outcome, nanos);
    } else {
      red.record(outcome, nanos, cohort);
    }
  }
}
