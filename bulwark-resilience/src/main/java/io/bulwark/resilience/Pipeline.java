package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Policies composed around a call. By default they are applied in the {@link PolicyKind} order,
 * outermost first — fallback → retry → hedge → adaptive throttle → circuit breaker → rate limiter →
 * timeout → bulkhead → concurrency limit → call — whatever order they were added in; {@link
 * Builder#inOrderGiven()} applies them exactly as added instead.
 *
 * <p>{@link Builder#build()} rejects compositions that cannot work as intended, naming the
 * policies: a retry inside a retry, attempts × timeout plus backoff longer than the pipeline
 * deadline, a circuit breaker inside a retry that one call's attempts alone could open, the same
 * policy twice.
 *
 * <p>Blocking calls ({@link #get}, {@link #call}, {@link #run}) run on the caller's thread (a
 * timeout or hedge moves the work to virtual threads); {@link #submit} runs the call on a new
 * virtual thread; {@link #stage} composes a {@code CompletionStage}. A call whose context deadline
 * has already passed is not started. A successful blocking call through the pipeline allocates
 * nothing unless it has a timeout or hedge. Thread-safe and immutable.
 */
public interface Pipeline {

  static Builder builder() {
    return new Builder();
  }

  /** A pipeline of {@code policies} in the default order. */
  static Pipeline of(Policy... policies) {
    return builder().with(policies).build();
  }

  String name();

  /** The policies in execution order, outermost first. */
  List<Policy> policies();

  /**
   * Runs {@code supplier} through the policies; checked failures arrive as {@link
   * CompletionException}.
   */
  <T extends @Nullable Object> T get(Supplier<T> supplier);

  /** Runs {@code callable} through the policies; its exceptions propagate unchanged. */
  <T extends @Nullable Object> T call(Callable<T> callable) throws Exception;

  /** Runs {@code runnable} through the policies. */
  void run(Runnable runnable);

  /** Runs {@code callable} through the policies on a new virtual thread, under this context. */
  <T extends @Nullable Object> CompletableFuture<T> submit(Callable<T> callable);

  /** Runs an asynchronous call through the policies. */
  <T extends @Nullable Object> CompletableFuture<T> stage(
      Supplier<? extends CompletionStage<T>> supplier);

  /** Builds a {@link Pipeline}. Not thread-safe. */
  final class Builder {
    String name = "pipeline";
    final List<Policy> policies = new ArrayList<>();
    boolean inOrderGiven;
    @Nullable Duration deadline;
    final List<ResilienceListener> listeners = new ArrayList<>();
    Clock clock = Clock.system();

    Builder() {}

    public Builder name(String name) {
      this.name = Checks.notBlank("name", name);
      return this;
    }

    /** Adds policies; where they go depends on {@link #inOrderGiven()}. */
    public Builder with(Policy... policies) {
      for (Policy p : policies) {
        this.policies.add(Objects.requireNonNull(p, "policy"));
      }
      return this;
    }

    /** Applies the policies in the order added (outermost first) instead of the default order. */
    public Builder inOrderGiven() {
      this.inOrderGiven = true;
      return this;
    }

    /**
     * Gives every call at most {@code deadline} in all (retries included): the call runs under a
     * context whose deadline is the earlier of the caller's and now + {@code deadline}.
     */
    public Builder deadline(Duration deadline) {
      this.deadline = Checks.positive("deadline", deadline);
      return this;
    }

    /** Receives the events of every policy in the pipeline and {@code onCallEnded}. */
    public Builder listener(ResilienceListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** The clock for the pipeline deadline and call durations (default: the system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Orders, validates and builds the pipeline.
     *
     * @throws IllegalArgumentException naming the policies, if the composition is misconfigured
     */
    public Pipeline build() {
      List<Policy> ordered = PipelineValidator.order(policies, inOrderGiven);
      PipelineValidator.validate(name, ordered, deadline);
      return new DefaultPipeline(this, ordered);
    }
  }
}
