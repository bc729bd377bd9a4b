package io.bulwark.chaos.experiment;

/** A chaos experiment (placeholder until the experiment model lands). */
public final class Experiment {
  private Experiment() {}
}
