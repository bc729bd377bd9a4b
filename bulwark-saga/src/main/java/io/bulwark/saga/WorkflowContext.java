package io.bulwark.saga;

import io.bulwark.core.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a workflow's code calls. Every call that has an effect or waits is a <em>step</em> of the
 * run with an index (its position in the run, counted from 0 in call order) and a name unique in
 * the run: {@link #step}, each member of {@link #parallel}, {@link #child}, {@link #sleep} and
 * {@link #awaitSignal}. Its result is checkpointed under (run id, index, name) before the code goes
 * on; when a recovered run calls it again, the stored result is returned without running it.
 *
 * <p>A call whose name differs from the stored step at the same index (a renamed, reordered or
 * removed step after a code change) parks the run with a cause that names both; a name used twice
 * in one run fails the run with {@link WorkflowDefinitionException}.
 *
 * <p>Only the thread that runs the workflow may call these methods.
 */
public interface WorkflowContext {
  String runId();

  /** The workflow's name. */
  String workflow();

  /** The version the run started with. */
  int version();

  /**
   * The context the run started under (deadline, criticality, trace, baggage), stored with the run
   * and restored around every step.
   */
  Context context();

  /** Runs a step with no compensation and the engine's default retry policy and timeout. */
  <T> T step(String name, Class<T> type, StepAction<T> action) throws Exception;

  /** Runs a step with a compensation and the engine's default retry policy and timeout. */
  <T> T step(String name, Class<T> type, StepAction<T> action, Compensation<T> compensation)
      throws Exception;

  /**
   * Runs {@code step}: its action is tried under its retry policy (attempt counts and the next
   * attempt's time are stored, so a restart neither forgets nor repeats them) until it succeeds,
   * fails with an error its policy does not retry, exhausts its attempts or times out; then this
   * method throws {@link StepFailedException}.
   */
  <T> T step(Step<T> step) throws Exception;

  /**
   * Runs {@code steps} at the same time (fan-out) and returns their results in the given order
   * (fan-in). If one fails for good, the others still finish (their results are checkpointed) and
   * this method throws {@link StepFailedException} for the first failure in list order; a later
   * compensation compensates the group's completed members in parallel.
   */
  <T> List<T> parallel(List<Step<T>> steps) throws Exception;

  /**
   * Starts a child run of {@code definition} (run id {@code <this run id>/<name>}) and waits for
   * its output. A child that ends compensated makes this method throw {@link StepFailedException};
   * compensating the parent step does not compensate a completed child again (the child is its own
   * saga).
   */
  <C, R> R child(String name, WorkflowDefinition<C, R> definition, C input) throws Exception;

  /**
   * Sleeps durably: the wake-up time is stored, the run's thread is released, and the run resumes
   * (on any executor) when the engine's scheduler reaches it, also after a restart.
   */
  void sleep(String name, Duration duration) throws Exception;

  /**
   * Waits durably for the signal {@code signal} sent to this run with {@link SagaEngine#signal}, at
   * most {@code timeout}; empty when the timeout passes first. A signal sent before the run waits
   * for it is kept and delivered when it does. The step is named {@code name}.
   */
  <T> Optional<T> awaitSignal(String name, String signal, Class<T> type, Duration timeout)
      throws Exception;

  /** The run's small durable state, shown by the visibility API. */
  RunState state();
}
