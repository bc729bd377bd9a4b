package io.bulwark.runtime.autoscale.sim;

import io.bulwark.core.config.Checks;
import io.bulwark.runtime.autoscale.LoadSample;
import io.bulwark.runtime.autoscale.Recommendation;
import io.bulwark.runtime.autoscale.SampleLog;
import io.bulwark.runtime.autoscale.ScalingPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Runs a {@link ScalingPolicy} against a {@link TrafficShape} and a {@link CapacityModel} in
 * simulated (virtual) time, step by step, and grades it.
 *
 * <p>Each step of length {@code step}: the shape offers {@code rate × step} requests; ready
 * instances (launched at least the start-up delay ago) serve up to {@code capacity × step}; the
 * rest queues (a queue longer than ten seconds of arrivals is shed: clients time out). The step
 * violates the SLO when offered load (arrivals plus queue) exceeds {@code sloUtilisation ×
 * capacity}. A sample (instances, ready, arrival rate, concurrency = served rate × service time +
 * queue, p99 from an M/M/1-like curve, consumer lag = queue) is recorded each step; every {@code
 * decideEvery} the policy decides from the samples so far — it never sees the shape. Scale-out
 * launches instances that serve after the start-up delay; scale-in removes the newest first.
 *
 * <p>{@link #oracle()} knows the future: at every step exactly the instances needed to keep the
 * SLO, ready in time, paid only while needed — a lower bound no policy can beat.
 */
public final class Simulator {
  private final TrafficShape shape;
  private final CapacityModel model;
  private final long durationNanos;
  private final long stepNanos;
  private final int initialInstances;
  private final int minInstances;

  private Simulator(Builder b) {
    this.shape = b.shape;
    this.model = b.model;
    this.durationNanos = b.duration.toNanos();
    this.stepNanos = b.step.toNanos();
    this.initialInstances = b.initialInstances;
    this.minInstances = b.minInstances;
  }

  public static Builder builder(TrafficShape shape, CapacityModel model) {
    return new Builder(shape, model);
  }

  public TrafficShape shape() {
    return shape;
  }

  /** Runs {@code policy}, deciding every {@code decideEvery}. */
  public <M> SimulationResult run(ScalingPolicy<M> policy, Duration decideEvery) {
    return run(policy, decideEvery, d -> {});
  }

  /**
   * Runs {@code policy}, deciding every {@code decideEvery}, and hands every recommendation to
   * {@code decisions} (for tests and traces).
   */
  public <M> SimulationResult run(
      ScalingPolicy<M> policy, Duration decideEvery, Consumer<Recommendation<M>> decisions) {
    long decideNanos = Checks.positive("simulator.decideEvery", decideEvery).toNanos();
    double dt = stepNanos / 1e9;
    double cap = model.capacityPerInstance();
    double serviceSeconds = model.serviceTime().toNanos() / 1e9;
    long startup = model.startupDelay().toNanos();
    SampleLog log = new SampleLog(Duration.ofNanos(durationNanos + stepNanos));
    ArrayDeque<Long> launched = new ArrayDeque<>(); // launch instants, oldest first
    for (int i = 0; i < initialInstances; i++) {
      launched.addLast(-startup); // ready from the start
    }
    M memory = policy.initialMemory();
    double queue = 0;
    double violatedSeconds = 0;
    double instanceSeconds = 0;
    int changes = 0;
    int peak = launched.size();
    long nextDecision = decideNanos;
    for (long t = 0; t < durationNanos; t += stepNanos) {
      double rate = shape.rate(t);
      int ready = 0;
      for (long at : launched) {
        if (at + startup <= t) {
          ready++;
        }
      }
      double capacity = ready * cap * dt;
      double offered = rate * dt + queue;
      double served = Math.min(offered, capacity);
      queue = Math.min(offered - served, rate * 10);
      double utilisation =
          capacity == 0 ? (offered > 0 ? Double.POSITIVE_INFINITY : 0) : offered / capacity;
      if (utilisation > model.sloUtilisation()) {
        violatedSeconds += dt;
      }
      instanceSeconds += launched.size() * dt;
      double u = Math.min(utilisation, 0.99);
      log.append(
          new LoadSample(
              t,
              launched.size(),
              ready,
              rate,
              served / dt * serviceSeconds + queue,
              served > 0 ? 1000 * serviceSeconds * 4.6 / (1 - u) : 0,
              Math.round(queue)));
      if (t >= nextDecision) {
        nextDecision += decideNanos;
        Recommendation<M> rec = policy.decide(log.history(), t, memory);
        memory = rec.memory();
        decisions.accept(rec);
        int want = rec.instances();
        if (want != launched.size()) {
          changes++;
        }
        while (launched.size() < want) {
          launched.addLast(t);
        }
        while (launched.size() > want) {
          launched.removeLast();
        }
        peak = Math.max(peak, launched.size());
      }
    }
    return new SimulationResult(
        policy.name(), shape.name(), violatedSeconds / 60, instanceSeconds / 60, changes, peak);
  }

  /**
   * The oracle: at every step the fewest instances (at least minInstances) that keep offered load
   * within the SLO bound, ready exactly when needed and paid only then.
   */
  public SimulationResult oracle() {
    double dt = stepNanos / 1e9;
    double perInstance = model.capacityPerInstance() * model.sloUtilisation();
    double instanceSeconds = 0;
    int changes = 0;
    int peak = 0;
    int previous = -1;
    for (long t = 0; t < durationNanos; t += stepNanos) {
      int need = Math.max(minInstances, (int) Math.ceil(shape.rate(t) / perInstance - 1e-9));
      instanceSeconds += need * dt;
      if (previous >= 0 && need != previous) {
        changes++;
      }
      previous = need;
      peak = Math.max(peak, need);
    }
    return new SimulationResult("oracle", shape.name(), 0, instanceSeconds / 60, changes, peak);
  }

  /** Builds a {@link Simulator}; each setter validates and names the bad value. */
  public static final class Builder {
    private final TrafficShape shape;
    private final CapacityModel model;
    private Duration duration = Duration.ofDays(4);
    private Duration step = Duration.ofSeconds(2);
    private int initialInstances = 1;
    private int minInstances = 1;

    private Builder(TrafficShape shape, CapacityModel model) {
      this.shape = Checks.notNull("simulator.shape", shape);
      this.model = Checks.notNull("simulator.model", model);
    }

    /** Simulated time to run (default 4 days). */
    public Builder duration(Duration duration) {
      this.duration = Checks.positive("simulator.duration", duration);
      return this;
    }

    /** Length of one step (default 2 s). */
    public Builder step(Duration step) {
      this.step = Checks.positive("simulator.step", step);
      return this;
    }

    /** Instances ready at time 0 (default 1). */
    public Builder initialInstances(int instances) {
      this.initialInstances = Checks.notNegative("simulator.initialInstances", instances);
      return this;
    }

    /** The oracle's floor (default 1: the policies' usual minimum). */
    public Builder minInstances(int instances) {
      this.minInstances = Checks.notNegative("simulator.minInstances", instances);
      return this;
    }

    /**
     * Builds the simulator.
     *
     * @throws IllegalArgumentException when the step is longer than the duration
     */
    public Simulator build() {
      if (step.compareTo(duration) > 0) {
        throw new IllegalArgumentException(
            "simulator.step ("
                + step
                + ") must not be longer than simulator.duration ("
                + duration
                + ")");
      }
      return new Simulator(this);
    }
  }
}
