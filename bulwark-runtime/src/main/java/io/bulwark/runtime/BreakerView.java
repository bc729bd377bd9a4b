package io.bulwark.runtime;

import io.bulwark.resilience.CircuitBreaker;

/**
 * The last known state of one circuit breaker of one instance, as its resilience listener reported
 * it (see {@link InstanceContext#resilienceListener()}).
 *
 * @param instanceId the instance whose breaker it is
 * @param breaker the breaker's name
 * @param state its state after the last transition
 * @param reason the reason of the last transition
 * @param transitions how many transitions it made so far
 * @param atNanos when the last transition happened, on the system's clock
 */
public record BreakerView(
    String instanceId,
    String breaker,
    CircuitBreaker.State state,
    String reason,
    long transitions,
    long atNanos) {}
