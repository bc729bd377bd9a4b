package io.bulwark.chaos;

/** The entry point of chaos for user code (placeholder until the chaos engine lands). */
public final class Chaos {
  private Chaos() {}
}
