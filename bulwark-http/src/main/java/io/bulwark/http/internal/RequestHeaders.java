package io.bulwark.http.internal;

import io.bulwark.core.context.ContextHeaders;
import io.vertx.core.http.HttpHeaders;
import java.util.Map;

/**
 * Header names the server looks up on every request, pre-encoded once: Vert.x hashes a {@link
 * String} name case-insensitively on every lookup, a name made by {@link
 * HttpHeaders#createOptimized} carries its hash. Lookups stay case-insensitive either way.
 */
final class RequestHeaders {
  static final CharSequence CONTENT_LENGTH = HttpHeaders.createOptimized("content-length");
  static final CharSequence TRANSFER_ENCODING = HttpHeaders.createOptimized("transfer-encoding");
  static final CharSequence HOST = HttpHeaders.createOptimized("host");

  /** The context headers {@link ContextHeaders#extract} reads, by the names it asks for. */
  private static final Map<String, CharSequence> CONTEXT =
      Map.of(
          ContextHeaders.TRACEPARENT, HttpHeaders.createOptimized(ContextHeaders.TRACEPARENT),
          ContextHeaders.TRACESTATE, HttpHeaders.createOptimized(ContextHeaders.TRACESTATE),
          ContextHeaders.BAGGAGE, HttpHeaders.createOptimized(ContextHeaders.BAGGAGE),
          ContextHeaders.DEADLINE, HttpHeaders.createOptimized(ContextHeaders.DEADLINE),
          ContextHeaders.CRITICALITY, HttpHeaders.createOptimized(ContextHeaders.CRITICALITY),
          ContextHeaders.CORRELATION_ID,
              HttpHeaders.createOptimized(ContextHeaders.CORRELATION_ID));

  private RequestHeaders() {}

  /** The pre-encoded form of {@code name} when it is one of the context headers, else the name. */
  static CharSequence key(String name) {
    CharSequence key = CONTEXT.get(name);
    return key == null ? name : key;
  }
}
