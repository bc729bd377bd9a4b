package io.bulwark.saga.internal;

import io.bulwark.saga.EngineSettings;
import io.bulwark.saga.SagaEngine;

/** Creates engines (the public builder's way into the implementation). */
public final class Engines {
  private Engines() {}

  /** Starts an engine with {@code settings}. */
  public static SagaEngine start(EngineSettings settings) {
    if (settings.definitions().isEmpty()) {
      throw new UnsupportedOperationException("the saga engine is being built");
    }
    throw new UnsupportedOperationException("the saga engine is being built (issue 14)");
  }
}
