package io.bulwark.saga.kit;

import static org.assertj.core.api.Assertions.fail;

import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.StepView;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Waiting for something the engine does on its own threads: polls a condition (bounded, never a
 * fixed sleep) and fails with what was last seen. The bound is generous real time; the conditions
 * are outcomes, so a slow machine only makes a test slower, never wrong.
 */
public final class Waits {
  /** How long a kit test waits for an outcome before it fails. */
  public static final Duration LIMIT = Duration.ofSeconds(30);

  private Waits() {}

  /** Waits until {@code condition} holds; fails naming {@code what} and {@code seen}. */
  public static void until(String what, BooleanSupplier condition, Supplier<Object> seen) {
    long end = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end >= 0) {
        fail("waited " + LIMIT + " for " + what + "; last seen: " + seen.get());
      }
      LockSupport.parkNanos(2_000_000L);
    }
  }

  /** Waits until run {@code runId} has one of {@code statuses}; returns its view. */
  public static RunView status(SagaEngine engine, String runId, RunStatus... statuses) {
    until(
        "run " + runId + " to be " + Arrays.toString(statuses),
        () -> {
          Optional<RunView> v = engine.run(runId);
          return v.isPresent() && Arrays.asList(statuses).contains(v.get().status());
        },
        () -> describe(engine, runId));
    return engine.run(runId).orElseThrow();
  }

  /** Waits until {@code runId} is WAITING with a stored step named {@code step}. */
  public static RunView waitingAt(SagaEngine engine, String runId, String step) {
    until(
        "run " + runId + " to wait at step " + step,
        () -> {
          Optional<RunView> v = engine.run(runId);
          return v.isPresent()
              && v.get().status() == RunStatus.WAITING
              && step(v.get(), step) != null;
        },
        () -> describe(engine, runId));
    return engine.run(runId).orElseThrow();
  }

  /** The stored step named {@code name}, or null. */
  public static @Nullable StepView step(RunView run, String name) {
    for (StepView s : run.steps()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** The stored step named {@code name}; fails if there is none. */
  public static StepView stepOf(RunView run, String name) {
    StepView s = step(run, name);
    if (s == null) {
      fail("run " + run.runId() + " has no step " + name + ": " + run.steps());
    }
    return s;
  }

  /** A run's status, cause, steps and timeline, for failure messages. */
  public static String describe(SagaEngine engine, String runId) {
    return engine
        .run(runId)
        .map(
            v ->
                v.status()
                    + " cause="
                    + v.cause()
                    + " steps="
                    + v.steps()
                    + " timeline="
                    + v.timeline())
        .orElse("no such run");
  }
}
