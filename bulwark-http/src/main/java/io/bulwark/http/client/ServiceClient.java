package io.bulwark.http.client;

/**
 * A named client to one logical service. Every call runs on the caller's thread (block freely on a
 * virtual thread) through the client's {@link CallDecorator} (the resilience pipeline); each
 * attempt picks a usable endpoint with the load balancer, sends the caller's {@link
 * io.bulwark.core.context.Context} as headers with the deadline shrunk to {@code min(timeout,
 * remaining)}, and feeds the outcome to the balancer and outlier detection.
 *
 * <p>Answers with status below 500 are returned; 5xx answers, transport failures and timeouts throw
 * {@link HttpCallException}; a deadline that has already passed throws {@link
 * io.bulwark.core.error.DeadlineExceededException} without sending anything. Thread-safe.
 */
public interface ServiceClient {

  /** The client's name. */
  String name();

  /** Sends {@code request} and returns the response (status below 500). */
  ClientResponse send(ClientRequest request) throws Exception;

  /** {@code GET path}. */
  default ClientResponse get(String path) throws Exception {
    return send(ClientRequest.get(path));
  }
}
