package io.bulwark.saga;

import java.time.Instant;

/**
 * One entry of a run's timeline.
 *
 * @param kind e.g. started, step-completed, retry, compensate, compensated, parked, adopted,
 *     signal, completed
 * @param detail human-readable detail (step name, attempt, error, executor)
 */
public record RunEvent(Instant at, String kind, String detail) {}
