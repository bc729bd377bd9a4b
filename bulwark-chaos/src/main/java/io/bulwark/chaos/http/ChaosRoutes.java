package io.bulwark.chaos.http;

/** The chaos admin routes (placeholder until they land). */
public final class ChaosRoutes {
  private ChaosRoutes() {}
}
