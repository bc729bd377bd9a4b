package io.bulwark.saga;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.testing.StepFaults;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A saga engine's settings, as {@link SagaEngine.Builder} validated them.
 *
 * @param executorId this executor's id, unique among the executors sharing the store
 * @param lease how long a run stays held by this executor without a heartbeat
 * @param heartbeat how often this executor renews its leases (shorter than {@code lease})
 * @param poll how often the executor looks for runnable runs (due timers, queued runs, adoptable
 *     runs) when nothing woke it
 * @param workers the most runs this executor runs at once (each on its own virtual thread)
 * @param maxPayloadBytes the largest JSON value stored (input, result, signal, state)
 * @param defaultRetry the retry policy of steps that name none
 * @param defaultCompensationRetry the retry policy of compensations that name none
 * @param defaultStepTimeout the time an attempt of a step that names none may take
 */
public record EngineSettings(
    SagaStore store,
    Map<String, WorkflowDefinition<?, ?>> definitions,
    Map<String, QueueConfig> queues,
    String executorId,
    Duration lease,
    Duration heartbeat,
    Duration poll,
    int workers,
    int maxPayloadBytes,
    RetryConfig defaultRetry,
    RetryConfig defaultCompensationRetry,
    Duration defaultStepTimeout,
    Scheduler scheduler,
    Telemetry telemetry,
    ObjectMapper mapper,
    StepFaults faults) {
  public EngineSettings {
    definitions = Map.copyOf(definitions);
    queues = Map.copyOf(queues);
  }

  /** The registered definitions in a stable order. */
  public List<WorkflowDefinition<?, ?>> definitionList() {
    return definitions.values().stream()
        .sorted(java.util.Comparator.comparing(WorkflowDefinition::key))
        .toList();
  }
}
