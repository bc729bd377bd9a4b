package io.bulwark.saga;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One step of a run as stored.
 *
 * @param kind STEP, SLEEP, SIGNAL or CHILD
 * @param status RUNNING, RETRYING, COMPLETED, FAILED, COMPENSATING, COMPENSATED or
 *     COMPENSATION_FAILED
 * @param nextAttemptAt when the next attempt (of the action or the compensation) is due, or null
 */
public record StepView(
    int index,
    String name,
    String kind,
    String status,
    @Nullable String outputJson,
    @Nullable String error,
    int attempts,
    int compensationAttempts,
    @Nullable Instant nextAttemptAt,
    @Nullable Instant startedAt,
    @Nullable Instant endedAt) {}
