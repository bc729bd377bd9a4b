package io.bulwark.chaos.experiment;

import io.bulwark.core.time.Scheduler;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs an {@link Experiment} against a system whose RED metrics are recorded in a {@link
 * BulwarkTelemetry}: checks the budget floor, then on the injected {@link Scheduler} activates the
 * method's faults at their offsets through a {@link FaultControl}, runs the probes, and every tick
 * scrapes the telemetry into the run's own store, samples the timeline and applies the {@link
 * AbortRule}; at the end (or on abort) it clears the faults it activated, runs the rollbacks and
 * judges the hypothesis over the whole run.
 *
 * <p>Under virtual time ({@code VirtualScheduler} of bulwark-test) {@link #start()} returns at once
 * and the test advances time; under real time {@link #run()} waits for the result.
 */
public final class ExperimentRunner {
  final Experiment experiment;
  final Scheduler scheduler;
  final FaultControl faults;
  final BulwarkTelemetry telemetry;
  final @Nullable BudgetSource budget;
  final Map<String, Supplier<String>> watches;
  final ProbeCaller probeCaller;

  private ExperimentRunner(Builder b) {
    this.experiment = Objects.requireNonNull(b.experiment, "experiment");
    this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
    this.faults = Objects.requireNonNull(b.faults, "faults");
    this.telemetry = Objects.requireNonNull(b.telemetry, "telemetry");
    this.budget = b.budget;
    this.watches = Map.copyOf(b.watches);
    this.probeCaller = b.probeCaller;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the run (or refuses it) and returns its handle; the work runs on the scheduler. */
  public ExperimentRun start() {
    ExperimentRun run = new ExperimentRun(this);
    run.begin();
    return run;
  }

  /** Starts the run and waits for its result (real time). */
  public ExperimentResult run() throws InterruptedException {
    try {
      return start().result().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("experiment " + experiment.name() + " failed", e.getCause());
    }
  }

  /** Builder. */
  public static final class Builder {
    private @Nullable Experiment experiment;
    private @Nullable Scheduler scheduler;
    private @Nullable FaultControl faults;
    private @Nullable BulwarkTelemetry telemetry;
    private @Nullable BudgetSource budget;
    private final Map<String, Supplier<String>> watches = new LinkedHashMap<>();
    private ProbeCaller probeCaller = ProbeCaller.jdk();

    private Builder() {}

    public Builder experiment(Experiment experiment) {
      this.experiment = Objects.requireNonNull(experiment, "experiment");
      return this;
    }

    /** The scheduler (and through it the clock) of the run. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    public Builder faults(FaultControl faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    /** Where the system under test records its RED metrics (and where probes record theirs). */
    public Builder telemetry(BulwarkTelemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** Where the remaining error budget is read for the floor check. */
    public Builder budget(BudgetSource budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /**
     * A state polled every tick (e.g. a circuit breaker's state); each change is an event on lane
     * {@code state:NAME} of the timeline.
     */
    public Builder watch(String name, Supplier<String> state) {
      StepFault.checkName("watch name", name);
      watches.put(name, Objects.requireNonNull(state, "state"));
      return this;
    }

    /** How probes call their URL (default: the JDK HTTP client). */
    public Builder probeCaller(ProbeCaller caller) {
      this.probeCaller = Objects.requireNonNull(caller, "caller");
      return this;
    }

    public ExperimentRunner build() {
      return new ExperimentRunner(this);
    }
  }
}
