package io.bulwark.runtime.autoscale;

import io.bulwark.core.config.Checks;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link ScalingPolicy} for one service: every {@code sampleEvery} on the scheduler it
 * reads the service's load ({@link LoadProbe}) and instance counts ({@link Scaler}) into a {@link
 * SampleLog}; every {@code decideEvery} it asks the policy and, when the count changes, calls
 * {@link Scaler#scale} on the executor (one scale at a time: while one runs, decisions are recorded
 * as held). Every decision is recorded ({@link #decisions()}, the newest {@code keepDecisions}) and
 * handed to the listener.
 *
 * <p>All time comes from the scheduler's clock, so under a virtual scheduler the loop is
 * deterministic. The policy's memory lives on the scheduler's thread; {@link #decisions()} may be
 * read from any thread.
 */
public final class Autoscaler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

  private final String service;
  private final Runner<?> runner;
  private final LoadProbe probe;
  private final Scaler scaler;
  private final Scheduler scheduler;
  private final Executor executor;
  private final long sampleEveryNanos;
  private final long decideEveryNanos;
  private final int keepDecisions;
  private final Consumer<ScalingDecision> listener;
  private final SampleLog log;
  private final ArrayDeque<ScalingDecision> decisions = new ArrayDeque<>();
  private final Object decisionsLock = new Object();
  private final AtomicBoolean scaling = new AtomicBoolean();
  private long lastDecisionNanos;
  private @Nullable ScheduledTask task;

  private Autoscaler(Builder<?> b, Runner<?> runner) {
    this.service = b.service;
    this.runner = runner;
    this.probe = Checks.notNull("autoscaler.probe", b.probe);
    this.scaler = Checks.notNull("autoscaler.scaler", b.scaler);
    this.scheduler = Checks.notNull("autoscaler.scheduler", b.scheduler);
    this.executor = b.executor;
    this.sampleEveryNanos = b.sampleEvery.toNanos();
    this.decideEveryNanos = b.decideEvery.toNanos();
    this.keepDecisions = b.keepDecisions;
    this.listener = b.listener;
    this.log = new SampleLog(b.retention);
  }

  /** A builder running {@code policy} for {@code service}. */
  public static <M> Builder<M> builder(String service, ScalingPolicy<M> policy) {
    return new Builder<>(service, policy);
  }

  /** Starts sampling and deciding; the first decision comes {@code decideEvery} after start. */
  public synchronized Autoscaler start() {
    if (task != null) {
      throw new IllegalStateException("autoscaler of " + service + " already started");
    }
    lastDecisionNanos = scheduler.clock().nanoTime();
    task = scheduler.scheduleAtFixedRate(sampleEveryNanos, sampleEveryNanos, this::tick);
    return this;
  }

  /** Stops the loop (a scale already running finishes); idempotent. */
  @Override
  public synchronized void close() {
    ScheduledTask t = task;
    if (t != null) {
      t.cancel();
    }
  }

  public String service() {
    return service;
  }

  public String policy() {
    return runner.policy.name();
  }

  /**
   * Whether a scale this autoscaler asked for is still running. It ends just after the scaler
   * returns, so after the runtime's {@code SCALED} event; a decision due meanwhile is held ("a
   * scale is still running") until the next one.
   */
  public boolean scaling() {
    return scaling.get();
  }

  /** The recorded decisions, oldest first (at most {@code keepDecisions}). */
  public List<ScalingDecision> decisions() {
    synchronized (decisionsLock) {
      return new ArrayList<>(decisions);
    }
  }

  /** The samples recorded so far (within retention). */
  public History history() {
    return log.history();
  }

  private void tick() {
    Clock clock = scheduler.clock();
    long now = clock.nanoTime();
    LoadProbe.Load load = probe.read(now);
    int instances = scaler.instances(service);
    int ready = Math.min(instances, scaler.readyInstances(service));
    log.append(
        new LoadSample(
            now,
            instances,
            ready,
            load.requestRate(),
            load.concurrency(),
            load.p99Millis(),
            load.consumerLag()));
    if (now - lastDecisionNanos < decideEveryNanos) {
      return;
    }
    lastDecisionNanos = now;
    Recommendation<?> rec = runner.decide(log.history(), now);
    int to = rec.instances();
    String reason = rec.reason();
    if (to != instances) {
      if (scaling.compareAndSet(false, true)) {
        int target = to;
        executor.execute(() -> scale(target));
      } else {
        reason = "held at " + instances + ": a scale is still running; policy wanted " + to;
        to = instances;
      }
    }
    record(
        new ScalingDecision(
            service,
            runner.policy.name(),
            now,
            clock.wallMillis(),
            instances,
            to,
            reason,
            rec.inputs()));
  }

  private void scale(int to) {
    try {
      scaler.scale(service, to);
    } catch (RuntimeException e) {
      LOG.warn("autoscaler: scaling {} to {} failed", service, to, e);
    } finally {
      scaling.set(false);
    }
  }

  private void record(ScalingDecision decision) {
    synchronized (decisionsLock) {
      if (decisions.size() == keepDecisions) {
        decisions.removeFirst();
      }
      decisions.addLast(decision);
    }
    try {
      listener.accept(decision);
    } catch (RuntimeException e) {
      LOG.warn("autoscaler: decision listener failed on {}", decision, e);
    }
  }

  /** The policy with its memory; the memory is touched only on the scheduler's thread. */
  private static final class Runner<M> {
    final ScalingPolicy<M> policy;
    M memory;

    Runner(ScalingPolicy<M> policy) {
      this.policy = policy;
      this.memory = policy.initialMemory();
    }

    Recommendation<M> decide(History history, long now) {
      Recommendation<M> rec = policy.decide(history, now, memory);
      memory = rec.memory();
      return rec;
    }
  }

  /** Builds an {@link Autoscaler}; each setter validates and names the bad value. */
  public static final class Builder<M> {
    private final String service;
    private final ScalingPolicy<M> policy;
    private @Nullable LoadProbe probe;
    private @Nullable Scaler scaler;
    private @Nullable Scheduler scheduler;
    private Executor executor = command -> Thread.ofVirtual().name("autoscaler").start(command);
    private Duration sampleEvery = Duration.ofSeconds(2);
    private Duration decideEvery = Duration.ofSeconds(15);
    private Duration retention = Duration.ofDays(8);
    private int keepDecisions = 1000;
    private Consumer<ScalingDecision> listener = d -> {};

    private Builder(String service, ScalingPolicy<M> policy) {
      this.service = Checks.notBlank("autoscaler.service", service);
      this.policy = Checks.notNull("autoscaler.policy", policy);
    }

    public Builder<M> probe(LoadProbe probe) {
      this.probe = Checks.notNull("autoscaler.probe", probe);
      return this;
    }

    public Builder<M> scaler(Scaler scaler) {
      this.scaler = Checks.notNull("autoscaler.scaler", scaler);
      return this;
    }

    /** The scheduler the loop runs on; its clock times samples and decisions. */
    public Builder<M> scheduler(Scheduler scheduler) {
      this.scheduler = Checks.notNull("autoscaler.scheduler", scheduler);
      return this;
    }

    /** Where {@link Scaler#scale} runs (default: a new virtual thread per scale). */
    public Builder<M> executor(Executor executor) {
      this.executor = Checks.notNull("autoscaler.executor", executor);
      return this;
    }

    /** How often load is sampled (default 2 s). */
    public Builder<M> sampleEvery(Duration every) {
      this.sampleEvery = Checks.positive("autoscaler.sampleEvery", every);
      return this;
    }

    /** How often the policy decides (default 15 s; at least sampleEvery). */
    public Builder<M> decideEvery(Duration every) {
      this.decideEvery = Checks.positive("autoscaler.decideEvery", every);
      return this;
    }

    /** How long samples are kept for the policy (default 8 days: a predictive policy's seasons). */
    public Builder<M> retention(Duration retention) {
      this.retention = Checks.positive("autoscaler.retention", retention);
      return this;
    }

    /** How many decisions {@link Autoscaler#decisions()} keeps (default 1000). */
    public Builder<M> keepDecisions(int keep) {
      this.keepDecisions = Checks.positive("autoscaler.keepDecisions", keep);
      return this;
    }

    /** Called with every decision on the scheduler's thread; fast, and what it throws is logged. */
    public Builder<M> listener(Consumer<ScalingDecision> listener) {
      this.listener = Checks.notNull("autoscaler.listener", listener);
      return this;
    }

    /**
     * Builds the autoscaler (not started).
     *
     * @throws IllegalArgumentException when decideEvery is shorter than sampleEvery
     * @throws NullPointerException naming the probe, scaler or scheduler when one is missing
     */
    public Autoscaler build() {
      if (decideEvery.compareTo(sampleEvery) < 0) {
        throw new IllegalArgumentException(
            "autoscaler.decideEvery ("
                + decideEvery
                + ") must not be shorter than autoscaler.sampleEvery ("
                + sampleEvery
                + ")");
      }
      return new Autoscaler(this, new Runner<>(policy));
    }
  }
}
