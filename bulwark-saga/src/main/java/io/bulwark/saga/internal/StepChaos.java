package io.bulwark.saga.internal;

import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The saga step's chaos injection points, around a step's action (see docs/chaos.md). Two sites,
 * both with service = the workflow, instance {@code ""}, route = the step:
 *
 * <ul>
 *   <li>{@code saga-step}, before the action: latency delays the action; an exception (or the end
 *       of a blackhole) fails the attempt before anything happened.
 *   <li>{@code saga-step-after}, after the action returned: latency delays the step's outcome; an
 *       exception fails an attempt whose effect happened (the at-least-once case: the retry runs
 *       the action again, so its effect must be idempotent, e.g. by {@code
 *       StepContext.idempotencyKey()}). For a transactional step the failure rolls back the
 *       action's writes with the checkpoint, so there the effect is undone.
 * </ul>
 *
 * Both run on the attempt's thread, within the step's timeout, with the run's context current.
 */
final class StepChaos {
  private StepChaos() {}

  /** The {@code saga-step} site, before the action (and before a transactional step's lock). */
  static @Nullable Void before(FaultInjector fi, String workflow, StepRunner.StepCtx sc)
      throws InterruptedException {
    apply(fi, new FaultSite(FaultPointKind.SAGA_STEP, workflow, "", sc.stepName()), sc);
    return null;
  }

  /**
   * Runs {@code action}, then the {@code saga-step-after} site (inside a transactional step's
   * transaction, so that a failure there rolls it back).
   */
  static <T> T after(String workflow, StepRunner.StepCtx sc, Callable<T> action) throws Exception {
    T value = action.call();
    FaultInjector fi = FaultPoints.injector();
    if (fi != null) {
      apply(fi, new FaultSite(FaultPointKind.SAGA_STEP_AFTER, workflow, "", sc.stepName()), sc);
    }
    return value;
  }

  private static void apply(FaultInjector fi, FaultSite site, StepRunner.StepCtx sc)
      throws InterruptedException {
    FaultAction action = fi.decide(site);
    if (action != null) {
      sc.fault = action.tag();
      FaultPoints.apply(fi, action);
    }
  }
}
