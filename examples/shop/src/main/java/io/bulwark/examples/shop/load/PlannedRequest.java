package io.bulwark.examples.shop.load;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One scheduled user request: its place in the sequence, its kind, the HTTP calls it makes in
 * order, and whether the last call (a checkout) is submitted twice with the same key, as a
 * double-click.
 *
 * @param index its place in the sequence (0-based); it is sent at {@code t0 + index / rate}
 * @param kind what the user does
 * @param calls the calls, in order; a call runs only when the previous one succeeded
 * @param doubleSubmit the last call is sent twice at once with the same idempotency key
 * @param customer the customer who makes the request (cart and checkout: through the shop's edge
 *     they log in first and send their token), or null for anonymous browsing
 */
public record PlannedRequest(
    int index,
    RequestKind kind,
    List<Call> calls,
    boolean doubleSubmit,
    @Nullable String customer) {
  public PlannedRequest {
    Objects.requireNonNull(kind, "kind");
    calls = List.copyOf(calls);
    if (calls.isEmpty()) {
      throw new IllegalArgumentException("request " + index + " has no call");
    }
  }

  /**
   * One HTTP call.
   *
   * @param service the service it goes to: {@code web-bff}, {@code mobile-bff} or {@code catalog}
   * @param method GET or POST
   * @param path path and query
   * @param body a JSON body, or null
   * @param idempotencyKey the {@code Idempotency-Key} header, or null
   */
  public record Call(
      String service,
      String method,
      String path,
      @Nullable String body,
      @Nullable String idempotencyKey) {}
}
