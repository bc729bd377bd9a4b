package io.bulwark.saga;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything the store knows of one run, for operators and the dashboard: JSON texts as stored.
 *
 * @param cause why the run was compensated or parked (names the step), or null
 * @param owner the executor holding the run's lease, or null
 * @param steps the steps in index order
 * @param timeline what happened, in order (started, step attempts, retries, compensations, park,
 *     adoption, signals)
 */
public record RunView(
    String runId,
    String workflow,
    int version,
    RunStatus status,
    String queue,
    int priority,
    @Nullable String parentRunId,
    String inputJson,
    @Nullable String outputJson,
    @Nullable String cause,
    @Nullable String owner,
    Instant createdAt,
    Instant updatedAt,
    Map<String, String> state,
    List<StepView> steps,
    List<RunEvent> timeline) {
  public RunView {
    state = Map.copyOf(state);
    steps = List.copyOf(steps);
    timeline = List.copyOf(timeline);
  }
}
