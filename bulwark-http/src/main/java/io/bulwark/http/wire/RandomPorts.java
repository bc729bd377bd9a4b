package io.bulwark.http.wire;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Vert.x's shared random ports, handed out once per listener.
 *
 * <p>A server listening on a negative port gets a random port that every server of the same Vert.x
 * instance listening on the same negative value shares (Vert.x balances connections between them).
 * That is how a listener with {@code port: 0} runs one server per event loop. Each listener must
 * use its own value: two listeners that picked the same one (say a Bulwark server and a gateway
 * listener in one Vert.x instance) would silently share one port and answer each other's requests.
 * Every Bulwark listener therefore takes its value from this one counter.
 */
public final class RandomPorts {
  private static final AtomicInteger NEXT = new AtomicInteger();

  private RandomPorts() {}

  /**
   * A negative port value no other listener of this JVM has been given: servers listening on it
   * share one random port.
   */
  public static int nextShared() {
    int p = NEXT.decrementAndGet();
    if (p == Integer.MIN_VALUE) {
      throw new IllegalStateException("no shared random port value left in this JVM");
    }
    return p;
  }
}
