package io.bulwark.examples.shop;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to run the shop.
 *
 * @param resilience true: clients with resilience pipelines (timeout, retry with budget, circuit
 *     breakers per service and per endpoint, adaptive limits, outlier ejection) and fallbacks;
 *     false: plain calls (a timeout only), no limiter, no fallback
 * @param seed the seed of everything random in the services (repeatable runs)
 * @param storageRoot where the services' storage directories go (created; must be writable)
 * @param basePort 0 for ephemeral ports, else the first of consecutive ports
 * @param backends where the events and the checkout sagas live ({@link ShopBackends#EMBEDDED}: the
 *     embedded event log and SQLite)
 */
public record ShopOptions(
    boolean resilience, long seed, Path storageRoot, int basePort, ShopBackends backends) {
  public ShopOptions {
    Objects.requireNonNull(storageRoot, "storageRoot");
    Objects.requireNonNull(backends, "backends");
    if (basePort < 0 || basePort > 65535) {
      throw new IllegalArgumentException("basePort must be 0 or a port number, got " + basePort);
    }
  }

  /** The shop on the embedded event log and SQLite. */
  public ShopOptions(boolean resilience, long seed, Path storageRoot, int basePort) {
    this(resilience, seed, storageRoot, basePort, ShopBackends.EMBEDDED);
  }
}
