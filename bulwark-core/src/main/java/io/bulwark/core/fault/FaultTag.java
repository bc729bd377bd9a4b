package io.bulwark.core.fault;

import io.bulwark.core.telemetry.TelemetrySpan;
import java.util.Objects;

/**
 * What a faulted call is tagged with, on its span, log line and metric: the fault's id, its type
 * and the experiment (cohort) it belongs to.
 *
 * @param faultId the active fault's id
 * @param type the fault type's kebab-case name ({@code latency}, {@code http-error}, ...)
 * @param experiment the experiment id, or {@code ""} for a fault started outside an experiment
 */
public record FaultTag(String faultId, String type, String experiment) {
  /** The span attribute naming the fault id. */
  public static final String FAULT_ID = "chaos.fault.id";

  /** The span attribute naming the fault type. */
  public static final String FAULT_TYPE = "chaos.fault.type";

  /** The span attribute and baggage key naming the experiment (the cohort). */
  public static final String EXPERIMENT = "chaos.experiment";

  public FaultTag {
    Objects.requireNonNull(faultId, "faultId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(experiment, "experiment");
  }

  /** Puts this tag on {@code span} as attributes and an event {@code chaos.fault}. */
  public void tag(TelemetrySpan span) {
    if (!span.isRecording()) {
      return;
    }
    span.attribute(FAULT_ID, faultId);
    span.attribute(FAULT_TYPE, type);
    if (!experiment.isEmpty()) {
      span.attribute(EXPERIMENT, experiment);
    }
    span.event("chaos.fault");
  }
}
