package io.bulwark.data.partition;

import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * Executes a {@link MovePlan} through the data owner's {@link MoveExecutor}, throttled: at most
 * {@code maxConcurrentMoves} moves in flight, and moves started no faster than {@code
 * bytesPerSecond} allows (pacing: after a move of b bytes starts, the next may start b/rate later,
 * so the bytes started by time t never exceed {@code rate × (t − t0)} plus the size of the last
 * move started). A failed move is retried after {@code retryBackoff} up to {@code maxAttempts}
 * attempts in all, then reported in the {@link RebalanceReport}; the other moves go on. All waits
 * run on the injected {@link Scheduler}, so virtual time drives it in tests. Immutable and
 * thread-safe; one rebalancer can run many plans.
 */
public final class Rebalancer {
  private final int maxConcurrentMoves;
  private final long bytesPerSecond;
  private final int maxAttempts;
  private final Duration retryBackoff;
  private final Scheduler scheduler;

  private Rebalancer(Builder b) {
    this.maxConcurrentMoves = b.maxConcurrentMoves;
    this.bytesPerSecond = b.bytesPerSecond;
    this.maxAttempts = b.maxAttempts;
    this.retryBackoff = b.retryBackoff;
    this.scheduler = b.scheduler;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts running {@code plan}; the returned run reports progress and completes at the end. */
  public RebalanceRun start(MovePlan plan, MoveExecutor executor) {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(executor, "executor");
    RebalanceRun run = new RebalanceRun(this, plan, executor);
    run.pump();
    return run;
  }

  public int maxConcurrentMoves() {
    return maxConcurrentMoves;
  }

  /** The byte rate moves start at; {@link Long#MAX_VALUE} means unthrottled. */
  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration retryBackoff() {
    return retryBackoff;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  /** Settings of a {@link Rebalancer}; each setter rejects a bad value naming it. */
  public static final class Builder {
    private int maxConcurrentMoves = 1;
    private long bytesPerSecond = Long.MAX_VALUE;
    private int maxAttempts = 3;
    private Duration retryBackoff = Duration.ofSeconds(1);
    private Scheduler scheduler = Scheduler.system();

    private Builder() {}

    /** Moves in flight at once (default 1). */
    public Builder maxConcurrentMoves(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentMoves must be >= 1, was " + n);
      }
      this.maxConcurrentMoves = n;
      return this;
    }

    /** The byte rate (default unthrottled). */
    public Builder bytesPerSecond(long rate) {
      if (rate < 1) {
        throw new IllegalArgumentException("bytesPerSecond must be >= 1, was " + rate);
      }
      this.bytesPerSecond = rate;
      return this;
    }

    /** Attempts per move, the first included (default 3). */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + n);
      }
      this.maxAttempts = n;
      return this;
    }

    /** The wait before a failed move's next attempt (default 1 s). */
    public Builder retryBackoff(Duration d) {
      Objects.requireNonNull(d, "retryBackoff");
      if (d.isNegative()) {
        throw new IllegalArgumentException("retryBackoff must not be negative, was " + d);
      }
      this.retryBackoff = d;
      return this;
    }

    /** The scheduler for pacing and retry waits (default {@link Scheduler#system()}). */
    public Builder scheduler(Scheduler s) {
      this.scheduler = Objects.requireNonNull(s, "scheduler");
      return this;
    }

    public Rebalancer build() {
      return new Rebalancer(this);
    }
  }
}
