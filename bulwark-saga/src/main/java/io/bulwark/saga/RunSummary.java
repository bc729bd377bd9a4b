package io.bulwark.saga;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One line of a run listing. */
public record RunSummary(
    String runId,
    String workflow,
    int version,
    RunStatus status,
    @Nullable String cause,
    Instant createdAt,
    Instant updatedAt) {}
