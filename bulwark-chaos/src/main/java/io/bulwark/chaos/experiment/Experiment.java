package io.bulwark.chaos.experiment;

import io.bulwark.telemetry.slo.Slo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A chaos experiment, immutable: a steady-state hypothesis (SLOs from bulwark-telemetry, metric
 * checks on the embedded store, HTTP probes that feed them), a method (faults over time, each
 * expiring, optionally with a growing blast radius), rollbacks, an {@link AbortRule} and a budget
 * floor. Built by the Java DSL ({@link #builder(String)}) or loaded from YAML ({@link
 * ExperimentYaml}); both produce this same model. Run it with {@link ExperimentRunner}.
 *
 * <pre>{@code
 * Experiment e = Experiment.builder("payments-errors")
 *     .duration(Duration.ofSeconds(30))
 *     .slo(Slo.builder("checkout").sli(Sli.endpointAvailability("checkout")).objective(0.99).build())
 *     .step("errors", Duration.ofSeconds(5), Duration.ofSeconds(20),
 *         StepFault.of("http-error", "http-client").withTarget("service", "payments")
 *             .withParam("status", "503").withPercent(30))
 *     .build();
 * }</pre>
 */
public final class Experiment {
  private final String name;
  private final String description;
  private final long seed;
  private final Duration duration;
  private final Duration tick;
  private final List<Slo> slos;
  private final List<MetricCheck> checks;
  private final List<HttpProbe> probes;
  private final List<Step> method;
  private final List<Rollback> rollbacks;
  private final AbortRule abort;
  private final double budgetFloor;

  private Experiment(Builder b) {
    this.name = b.name;
    this.description = b.description;
    this.seed = b.seed;
    this.duration = Objects.requireNonNull(b.duration, "duration");
    this.tick = b.tick;
    this.slos = List.copyOf(b.slos);
    this.checks = List.copyOf(b.checks);
    this.probes = List.copyOf(b.probes);
    this.method = List.copyOf(b.method);
    this.rollbacks = List.copyOf(b.rollbacks);
    this.abort = b.abort;
    this.budgetFloor = b.budgetFloor;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public Builder toBuilder() {
    Builder b = new Builder(name).description(description).seed(seed).duration(duration);
    b.tick(tick).abort(abort).budgetFloor(budgetFloor);
    slos.forEach(b::slo);
    checks.forEach(b::check);
    probes.forEach(b::probe);
    method.forEach(b::step);
    rollbacks.forEach(b::rollback);
    return b;
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The seed of every random decision the run makes (fault sampling, generated traffic). */
  public long seed() {
    return seed;
  }

  /** How long a run lasts when it is not aborted. */
  public Duration duration() {
    return duration;
  }

  /** The evaluation period: every tick the run scrapes its metrics and checks the abort rule. */
  public Duration tick() {
    return tick;
  }

  public List<Slo> slos() {
    return slos;
  }

  public List<MetricCheck> checks() {
    return checks;
  }

  public List<HttpProbe> probes() {
    return probes;
  }

  public List<Step> method() {
    return method;
  }

  public List<Rollback> rollbacks() {
    return rollbacks;
  }

  public AbortRule abort() {
    return abort;
  }

  /** A run refuses to start when an SLO has less than this fraction of its error budget left. */
  public double budgetFloor() {
    return budgetFloor;
  }

  @Override
  public String toString() {
    return "Experiment[" + name + ", " + method.size() + " steps, " + duration + "]";
  }

  /** The Java DSL; each setter validates and names the bad value. */
  public static final class Builder {
    private final String name;
    private String description = "";
    private long seed = 1;
    private @Nullable Duration duration;
    private Duration tick = Duration.ofMillis(250);
    private final List<Slo> slos = new ArrayList<>();
    private final List<MetricCheck> checks = new ArrayList<>();
    private final List<HttpProbe> probes = new ArrayList<>();
    private final List<Step> method = new ArrayList<>();
    private final List<Rollback> rollbacks = new ArrayList<>();
    private AbortRule abort = AbortRule.defaults();
    private double budgetFloor;

    private Builder(String name) {
      StepFault.checkName("experiment name", name);
      this.name = name;
    }

    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder duration(Duration duration) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive, was " + duration);
      }
      this.duration = duration;
      return this;
    }

    /** The evaluation tick, from 10 ms to 250 ms (abort must be detected within 1 s). */
    public Builder tick(Duration tick) {
      if (tick.compareTo(Duration.ofMillis(10)) < 0 || tick.compareTo(Duration.ofMillis(250)) > 0) {
        throw new IllegalArgumentException("tick must be between 10ms and 250ms, was " + tick);
      }
      this.tick = tick;
      return this;
    }

    public Builder slo(Slo slo) {
      slos.add(Objects.requireNonNull(slo, "slo"));
      return this;
    }

    public Builder check(MetricCheck check) {
      checks.add(Objects.requireNonNull(check, "check"));
      return this;
    }

    public Builder probe(HttpProbe probe) {
      probes.add(Objects.requireNonNull(probe, "probe"));
      return this;
    }

    public Builder step(Step step) {
      method.add(Objects.requireNonNull(step, "step"));
      return this;
    }

    /** A step with a fixed share. */
    public Builder step(String name, Duration at, Duration duration, StepFault fault) {
      return step(new Step(name, at, duration, fault, null));
    }

    /** A step whose share grows along {@code ramp}. */
    public Builder step(String name, Duration at, Duration duration, StepFault fault, Ramp ramp) {
      return step(new Step(name, at, duration, fault, ramp));
    }

    public Builder rollback(Rollback rollback) {
      rollbacks.add(Objects.requireNonNull(rollback, "rollback"));
      return this;
    }

    public Builder abort(AbortRule abort) {
      this.abort = Objects.requireNonNull(abort, "abort");
      return this;
    }

    /** Minimum fraction of error budget each SLO must have left for a run to start, in [0, 1]. */
    public Builder budgetFloor(double floor) {
      if (!(floor >= 0 && floor <= 1)) {
        throw new IllegalArgumentException("budget-floor must be in [0, 1], was " + floor);
      }
      this.budgetFloor = floor;
      return this;
    }

    /** Applies {@code edit} to this builder (handy in tests: one experiment, small variations). */
    public Builder with(UnaryOperator<Builder> edit) {
      return edit.apply(this);
    }

    /**
     * Builds; checks what needs several values: a duration is set, steps end within it, names are
     * unique, the hypothesis is not empty, the abort window and the duration are whole numbers of
     * ticks.
     */
    public Experiment build() {
      if (duration == null) {
        throw new IllegalArgumentException("experiment " + name + ": duration is required");
      }
      if (slos.isEmpty() && checks.isEmpty()) {
        throw new IllegalArgumentException(
            "experiment " + name + ": the steady-state hypothesis needs at least one slo or check");
      }
      unique("step", method.stream().map(Step::name).toList());
      unique("slo", slos.stream().map(Slo::name).toList());
      unique("check", checks.stream().map(MetricCheck::name).toList());
      unique("probe", probes.stream().map(HttpProbe::name).toList());
      unique("rollback", rollbacks.stream().map(Rollback::name).toList());
      for (Step s : method) {
        if (s.end().compareTo(duration) > 0) {
          throw new IllegalArgumentException(
              "step " + s.name() + " ends at " + s.end() + ", after the duration " + duration);
        }
      }
      long w = abort.window().toNanos();
      if (w % tick.toNanos() != 0) {
        throw new IllegalArgumentException(
            "abort window " + abort.window() + " must be a whole number of ticks (" + tick + ")");
      }
      if (duration.toNanos() % tick.toNanos() != 0) {
        throw new IllegalArgumentException(
            "duration " + duration + " must be a whole number of ticks (" + tick + ")");
      }
      return new Experiment(this);
    }

    private void unique(String what, List<String> names) {
      Set<String> seen = new HashSet<>();
      for (String n : names) {
        if (!seen.add(n)) {
          throw new IllegalArgumentException(
              "experiment " + name + ": duplicate " + what + " " + n);
        }
      }
    }
  }
}
