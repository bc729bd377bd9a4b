package io.bulwark.gateway.internal;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/**
 * The event-loop contexts a listener's server instances run on: each call takes the next event loop
 * of the Vert.x instance (round robin), so N consecutive calls give N distinct loops when it has at
 * least N. {@code getOrCreateContext()} would not do: called repeatedly from one outside thread it
 * returns contexts on one and the same event loop, so every instance of a listener would share a
 * single thread.
 */
final class ListenerLoops {
  private ListenerLoops() {}

  static Context next(Vertx vertx) {
    return vertx instanceof VertxInternal internal
        ? internal.contextBuilder().build()
        : vertx.getOrCreateContext();
  }
}
