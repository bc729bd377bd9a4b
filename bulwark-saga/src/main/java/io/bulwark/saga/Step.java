package io.bulwark.saga;

import io.bulwark.core.config.Checks;
import io.bulwark.resilience.RetryConfig;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One step of a workflow: a name unique in the run, an action, an optional compensation, its retry
 * policy and its timeout per attempt. Immutable; build one with {@link #named}.
 */
public final class Step<T> {
  private final String name;
  private final Class<T> type;
  private final StepAction<T> action;
  private final @Nullable Compensation<T> compensation;
  private final @Nullable RetryConfig retry;
  private final @Nullable RetryConfig compensationRetry;
  private final @Nullable Duration timeout;
  private final boolean transactional;

  private Step(Builder<T> b, StepAction<T> action) {
    this.name = b.name;
    this.type = b.type;
    this.action = action;
    this.compensation = b.compensation;
    this.retry = b.retry;
    this.compensationRetry = b.compensationRetry;
    this.timeout = b.timeout;
    this.transactional = b.transactional;
  }

  /** Starts a step named {@code name} whose result has type {@code type}. */
  public static <T> Builder<T> named(String name, Class<T> type) {
    return new Builder<>(name, type);
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  public StepAction<T> action() {
    return action;
  }

  public @Nullable Compensation<T> compensation() {
    return compensation;
  }

  /** The step's retry policy, or null for the engine's default. */
  public @Nullable RetryConfig retry() {
    return retry;
  }

  /** The compensation's retry policy, or null for the engine's default. */
  public @Nullable RetryConfig compensationRetry() {
    return compensationRetry;
  }

  /** The time one attempt may take, or null for the engine's default. */
  public @Nullable Duration timeout() {
    return timeout;
  }

  public boolean transactional() {
    return transactional;
  }

  @Override
  public String toString() {
    return "Step[" + name + (transactional ? ", transactional" : "") + "]";
  }

  /** Builds a {@link Step}. */
  public static final class Builder<T> {
    private final String name;
    private final Class<T> type;
    private @Nullable Compensation<T> compensation;
    private @Nullable RetryConfig retry;
    private @Nullable RetryConfig compensationRetry;
    private @Nullable Duration timeout;
    private boolean transactional;

    private Builder(String name, Class<T> type) {
      this.name = Names.check("step name", name);
      this.type = Objects.requireNonNull(type, "type");
    }

    public Builder<T> compensate(Compensation<T> compensation) {
      this.compensation = Objects.requireNonNull(compensation, "compensation");
      return this;
    }

    /**
     * The step's retry policy: attempts, backoff, jitter and which errors are retried
     * (bulwark-resilience's semantics), kept durably in the store. A retry budget in {@code retry}
     * is not used by sagas (retries are durable and spread over time) and is refused.
     */
    public Builder<T> retry(RetryConfig retry) {
      this.retry = checkNoBudget(Objects.requireNonNull(retry, "retry"));
      return this;
    }

    /** The compensation's retry policy; when it is exhausted the run is parked. */
    public Builder<T> compensationRetry(RetryConfig retry) {
      this.compensationRetry = checkNoBudget(Objects.requireNonNull(retry, "compensationRetry"));
      return this;
    }

    /** The time one attempt may take; a timed-out attempt counts as a retriable failure. */
    public Builder<T> timeout(Duration timeout) {
      this.timeout = Checks.positive("step " + name + " timeout", timeout);
      return this;
    }

    /**
     * Makes the step exactly-once: its action gets {@link StepContext#connection()}, a transaction
     * on the saga store's database that commits the step's writes, its checkpoint and its outbox
     * events together.
     */
    public Builder<T> transactional() {
      this.transactional = true;
      return this;
    }

    public Step<T> action(StepAction<T> action) {
      return new Step<>(this, Objects.requireNonNull(action, "action"));
    }

    private RetryConfig checkNoBudget(RetryConfig retry) {
      if (retry.budget() != null) {
        throw new IllegalArgumentException(
            "step " + name + ": a saga step's retry policy cannot use a retry budget");
      }
      return retry;
    }
  }
}
