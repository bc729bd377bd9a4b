package io.bulwark.gateway.internal;

import io.vertx.core.Future;

/**
 * One check a route runs on a request's head before an upstream is picked: it allows the request
 * (possibly changing the headers sent upstream), or denies it with a status. Stages of a route run
 * in order ({@link AdmissionChain}); the first denial answers the client and no upstream is
 * contacted.
 *
 * <p>Threading: {@link #admit} is called on the request's event loop and must not block. A stage
 * that needs blocking work (a key fetch, a WASM filter) runs it through {@link
 * AdmissionHead#blocking}, which uses a virtual thread. A failed future fails the request closed
 * (500) and is logged with the route and stage name.
 */
public interface Admission {

  /** The stage's name in logs and problem bodies (e.g. {@code jwt}, {@code rate-limit}). */
  String name();

  /** Decides on {@code head}; the future may complete on any thread. */
  Future<Verdict> admit(AdmissionHead head);

  /** Releases what the stage holds (background refreshes, caches); the default holds nothing. */
  default void close() {}
}
