package io.bulwark.saga.internal;

import io.bulwark.saga.EngineSettings;
import io.bulwark.saga.SagaEngine;
import java.time.Duration;

/** Creates engines (the public builder's way into the implementation). */
public final class Engines {
  private Engines() {}

  /** Starts an engine with {@code settings}. */
  public static SagaEngine start(EngineSettings settings) {
    return SagaEngineImpl.start(settings);
  }

  /** See {@link io.bulwark.saga.testing.SagaTestKit#awaitIdle}. */
  public static boolean awaitIdle(SagaEngine engine, Duration timeout) throws InterruptedException {
    if (!(engine instanceof SagaEngineImpl impl)) {
      throw new IllegalArgumentException("not an engine built by SagaEngine.builder: " + engine);
    }
    return impl.awaitIdle(timeout);
  }
}
