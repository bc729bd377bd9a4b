package io.bulwark.examples.shop;

import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import java.net.URI;
import java.time.Duration;

/**
 * The shop's first slice: catalog, cart, orders, payments (2 instances), inventory (2 instances),
 * shipping and recommendations, each a Bulwark HTTP server run by a {@link SystemRuntime}.
 */
public final class Shop implements AutoCloseable {
  /** The version every service starts with. */
  public static final String GOOD_VERSION = "1.0.0";

  /** The payments version of the game day's bad deploy: fails half its calls and adds latency. */
  public static final String BAD_PAYMENTS_VERSION = "1.1.0-bad";

  private Shop() {}

  /** The shop's system model for {@code options}. */
  public static SystemModel model(ShopOptions options) {
    throw new UnsupportedOperationException("shop: not implemented yet");
  }

  /**
   * Starts the shop (the shared event log, then every service in dependency order), reporting
   * progress to {@code progress}. On failure nothing is left running and the exception names the
   * cause (a port in use, a storage directory that cannot be written).
   */
  public static Shop start(ShopOptions options, RuntimeListener progress) {
    throw new UnsupportedOperationException("shop: not implemented yet");
  }

  public SystemRuntime runtime() {
    throw new UnsupportedOperationException("shop: not implemented yet");
  }

  /** {@code http://127.0.0.1:<port>} of a ready instance of {@code service}. */
  public URI baseUri(String service) {
    throw new UnsupportedOperationException("shop: not implemented yet");
  }

  /**
   * Waits (at most {@code quiesceBudget}) until the work already accepted has settled (outbox
   * relayed, shipping caught up, pending compensations done), then checks the invariants from the
   * services' stores.
   */
  public InvariantReport checkInvariants(Duration quiesceBudget) {
    throw new UnsupportedOperationException("shop: not implemented yet");
  }

  /** Stops every service, then the event log. Idempotent. */
  @Override
  public void close() {}
}
