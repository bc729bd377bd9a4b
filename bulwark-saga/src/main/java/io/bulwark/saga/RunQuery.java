package io.bulwark.saga;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A filter for {@link SagaEngine#runs}: workflow name, statuses (empty: all), creation time range
 * {@code [createdFrom, createdTo)}, newest first, at most {@code limit} (1 to 1,000).
 */
public record RunQuery(
    @Nullable String workflow,
    Set<RunStatus> statuses,
    @Nullable Instant createdFrom,
    @Nullable Instant createdTo,
    int limit) {
  public static final int MAX_LIMIT = 1_000;

  public RunQuery {
    statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("run query limit must be 1 to 1000, got " + limit);
    }
    if (createdFrom != null && createdTo != null && !createdFrom.isBefore(createdTo)) {
      throw new IllegalArgumentException(
          "run query createdFrom " + createdFrom + " must be before createdTo " + createdTo);
    }
  }

  /** The newest 100 runs of any workflow and status. */
  public static RunQuery all() {
    return new RunQuery(null, Set.of(), null, null, 100);
  }

  public RunQuery withWorkflow(String workflow) {
    return new RunQuery(workflow, statuses, createdFrom, createdTo, limit);
  }

  public RunQuery withStatuses(Set<RunStatus> statuses) {
    return new RunQuery(workflow, statuses, createdFrom, createdTo, limit);
  }

  public RunQuery withCreated(@Nullable Instant from, @Nullable Instant to) {
    return new RunQuery(workflow, statuses, from, to, limit);
  }

  public RunQuery withLimit(int limit) {
    return new RunQuery(workflow, statuses, createdFrom, createdTo, limit);
  }
}
