package io.bulwark.http.client;

/**
 * A named client to one logical service. Every call runs on the caller's thread (block freely on a
 * virtual thread) through the client's {@link CallDecorator} (the resilience pipeline); each
 * attempt picks a usable endpoint with the load balancer, sends the caller's {@link
 * io.bulwark.core.context.Context} as headers with the deadline shrunk to {@code min(timeout,
 * remaining)}, and feeds the outcome to the balancer and outlier detection.
 *
 * <p>Answers with status below 500 are returned. Every failure is an unchecked exception of
 * Bulwark's error taxonomy ({@link io.bulwark.core.error.BulwarkException}, whose {@code
 * isRetriable()} says whether trying again may help); the only checked exception is the {@link
 * InterruptedException} of a caller interrupted while it waits. Thread-safe.
 */
public interface ServiceClient {

  /** The client's name. */
  String name();

  /**
   * Checks the client's TLS files (its key store and trust store) now instead of at the next {@link
   * ClientConfig#tlsReloadInterval()}: changed files that load are used for new connections; files
   * that do not load are refused and the old ones stay in use.
   *
   * @return {@code "reloaded: ..."} or {@code "refused: <why>; ..."} when the files changed since
   *     the last check, null when they did not or the client has no TLS files
   */
  default @org.jspecify.annotations.Nullable String reloadTls() {
    return null;
  }

  /**
   * Sends {@code request} and returns the response (status below 500).
   *
   * @throws HttpCallException the endpoint answered 5xx, the connection failed, the attempt timed
   *     out ({@link HttpCallException#isTimeout()}) or no endpoint was available; also wraps a
   *     checked exception thrown by a decorator, as its cause
   * @throws io.bulwark.core.error.DeadlineExceededException the caller's deadline passed, before
   *     anything was sent or during the call
   * @throws io.bulwark.core.error.RejectedException a policy of the pipeline refused the call (an
   *     open circuit, a full bulkhead, a rate limit)
   * @throws io.bulwark.core.error.BulwarkException another failure of the pipeline, e.g. a {@code
   *     Timeout} policy's {@code TimeoutExceededException}
   * @throws InterruptedException the calling thread was interrupted while it waited; the request in
   *     flight is reset
   */
  ClientResponse send(ClientRequest request) throws InterruptedException;

  /** {@code GET path}; see {@link #send}. */
  default ClientResponse get(String path) throws InterruptedException {
    return send(ClientRequest.get(path));
  }
}
