package io.bulwark.core.telemetry;

/**
 * The metrics of a {@link Telemetry} as a text document for a pull endpoint such as {@code GET
 * /metrics} (a Prometheus scrape). A server that is given telemetry with a scrape mounts it; the
 * server needs no metrics library to do so. Thread-safe.
 */
public interface MetricsScrape {

  /** The HTTP {@code Content-Type} of {@link #scrape()}. */
  String contentType();

  /** Every metric as of now, in the format named by {@link #contentType()}. */
  String scrape();
}
