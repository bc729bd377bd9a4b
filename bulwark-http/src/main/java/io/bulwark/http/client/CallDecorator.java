package io.bulwark.http.client;

/**
 * Wraps every call of a named client, around the attempts: the seam through which a resilience
 * pipeline (retry, circuit breaker, bulkhead, hedging from bulwark-resilience) applies. The
 * decorator runs on the caller's (virtual) thread with the caller's context bound; each {@link
 * Attempt#run()} picks an endpoint afresh, so a retry can go elsewhere. A decorator may call {@code
 * run} any number of times, or not at all (a circuit that is open).
 *
 * <p>Composition order (outermost first): decorator, then per attempt: deadline check, balancer
 * pick, request, outlier recording. A checked exception that {@link #call} throws (other than
 * {@link InterruptedException}) reaches the caller of {@link ServiceClient#send} as the cause of an
 * {@link HttpCallException}.
 */
@FunctionalInterface
public interface CallDecorator {

  ClientResponse call(ClientRequest request, Attempt attempt) throws Exception;

  /**
   * One attempt of the call: picks an endpoint and performs the request. Fails with the unchecked
   * exceptions listed at {@link ServiceClient#send}, or is interrupted.
   */
  @FunctionalInterface
  interface Attempt {
    ClientResponse run() throws InterruptedException;
  }

  /**
   * Runs the attempts through a bulwark-resilience {@link io.bulwark.resilience.Pipeline} (retry,
   * circuit breaker, bulkhead, hedge...): the pipeline's policies apply in its documented order
   * around each attempt.
   */
  static CallDecorator of(io.bulwark.resilience.Pipeline pipeline) {
    java.util.Objects.requireNonNull(pipeline, "pipeline");
    return (request, attempt) -> pipeline.call(attempt::run);
  }

  /** Runs exactly one attempt. */
  static CallDecorator none() {
    return (request, attempt) -> attempt.run();
  }
}
