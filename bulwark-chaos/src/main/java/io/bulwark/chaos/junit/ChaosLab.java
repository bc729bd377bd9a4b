package io.bulwark.chaos.junit;

import io.bulwark.chaos.experiment.Experiment;
import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.experiment.ExperimentRun;
import io.bulwark.chaos.experiment.ExperimentRunner;
import io.bulwark.chaos.experiment.ExperimentYaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a {@link ChaosExperiment} test works with: the seed, experiments loaded from test resources,
 * and {@link #run} that drives a run to its end in virtual time. Every result is kept for the
 * reports the extension writes after the test. One per test invocation; not thread-safe.
 */
public final class ChaosLab {
  private final long seed;
  private final Class<?> testClass;
  private final List<ExperimentResult> results = new ArrayList<>();

  ChaosLab(long seed, Class<?> testClass) {
    this.seed = seed;
    this.testClass = testClass;
  }

  /** The test's seed. */
  public long seed() {
    return seed;
  }

  /** A new Random with the test's seed, for traffic generators that must repeat run to run. */
  public Random random() {
    return new Random(seed);
  }

  /**
   * Loads an experiment YAML from the test class's resources ({@code /chaos/x.yaml} or relative to
   * the class's package); errors read {@code resource:line: field: message}.
   */
  public Experiment load(String resource) {
    try (InputStream in = testClass.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "no experiment resource " + resource + " next to " + testClass.getName());
      }
      return ExperimentYaml.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read experiment resource " + resource, e);
    }
  }

  /**
   * Runs {@code experiment} with the test's seed: starts it through {@code runner} (which holds the
   * scheduler, the fault control and the telemetry), advances time by its duration plus one tick
   * through {@code time}, and returns the result.
   *
   * @throws AssertionError if the run did not end in that time
   */
  public ExperimentResult run(
      Experiment experiment, ExperimentRunner.Builder runner, TimeDriver time) {
    Experiment seeded = experiment.toBuilder().seed(seed).build();
    ExperimentRun run = runner.experiment(seeded).build().start();
    time.advance(seeded.duration().plus(seeded.tick()));
    if (!run.isDone()) {
      throw new AssertionError(
          "experiment " + seeded.name() + " did not end within its duration " + seeded.duration());
    }
    ExperimentResult result = run.result().join();
    results.add(result);
    return result;
  }

  /** Throws an {@link AssertionError} with the reason unless the hypothesis held. */
  public void assertHeld(ExperimentResult result) {
    if (!result.held()) {
      throw new AssertionError(
          "experiment " + result.experiment() + " " + result.verdict() + ": " + result.reason());
    }
  }

  /** Throws an {@link AssertionError} unless the run completed and the hypothesis failed. */
  public void assertFailed(ExperimentResult result) {
    if (result.verdict() != ExperimentResult.Verdict.FAILED) {
      throw new AssertionError(
          "experiment "
              + result.experiment()
              + " was expected to FAIL its hypothesis, was "
              + result.verdict()
              + ": "
              + result.reason());
    }
  }

  /** The results of the runs made so far, in order. */
  public List<ExperimentResult> results() {
    return List.copyOf(results);
  }
}
