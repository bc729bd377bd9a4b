package io.bulwark.saga;

/**
 * A workflow's code: plain Java that calls {@link WorkflowContext#step} for every effect. The code
 * runs again from the top when a run is recovered; completed steps then return their stored result
 * instead of running again, so everything outside steps must be deterministic (no clock reads,
 * random numbers or I/O outside a step).
 *
 * <p>A failure that escapes {@code run} (a {@link StepFailedException} the code did not catch, or
 * any other exception) fails the run for good: its completed steps are compensated in reverse order
 * and the run ends {@link RunStatus#COMPENSATED}.
 *
 * @param <I> the input type (mapped to and from JSON with the engine's Jackson mapper)
 * @param <O> the output type (mapped likewise)
 */
@FunctionalInterface
public interface Workflow<I, O> {
  /** Runs (or resumes) one run of this workflow. */
  O run(WorkflowContext workflow, I input) throws Exception;
}
