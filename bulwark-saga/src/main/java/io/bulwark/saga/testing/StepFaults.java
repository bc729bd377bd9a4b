package io.bulwark.saga.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A fault hook for tests: makes a chosen step (or compensation) of a chosen workflow fail on a
 * chosen attempt with a chosen exception, before its action runs. Install it with {@code
 * SagaEngine.Builder.faults}. Immutable.
 */
public final class StepFaults {
  private static final StepFaults NONE = new StepFaults(List.of());

  /** Which calls a fault applies to. */
  public enum Target {
    ACTION,
    COMPENSATION
  }

  private record Fault(
      String workflow, String step, Target target, int attempt, Supplier<Exception> error) {}

  private final List<Fault> faults;

  private StepFaults(List<Fault> faults) {
    this.faults = List.copyOf(faults);
  }

  /** No faults. */
  public static StepFaults none() {
    return NONE;
  }

  /**
   * Adds a fault: attempt {@code attempt} (from 1; 0 for every attempt) of {@code step}'s {@code
   * target} in runs of {@code workflow} throws {@code error.get()}.
   */
  public StepFaults fail(
      String workflow, String step, Target target, int attempt, Supplier<Exception> error) {
    if (attempt < 0) {
      throw new IllegalArgumentException("fault attempt must be 0 (every) or more, got " + attempt);
    }
    List<Fault> next = new ArrayList<>(faults);
    next.add(
        new Fault(
            Objects.requireNonNull(workflow, "workflow"),
            Objects.requireNonNull(step, "step"),
            Objects.requireNonNull(target, "target"),
            attempt,
            Objects.requireNonNull(error, "error")));
    return new StepFaults(next);
  }

  /** The error to throw for this call, or null to run it. Called by the engine. */
  public @Nullable Exception faultFor(String workflow, String step, Target target, int attempt) {
    for (Fault f : faults) {
      if (f.workflow.equals(workflow)
          && f.step.equals(step)
          && f.target == target
          && (f.attempt == 0 || f.attempt == attempt)) {
        return f.error.get();
      }
    }
    return null;
  }

  public boolean isEmpty() {
    return faults.isEmpty();
  }
}
