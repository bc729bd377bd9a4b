package io.bulwark.chaos.junit;

/** The JUnit 5 extension (placeholder until it lands). */
public final class ChaosExtension {
  private ChaosExtension() {}
}
