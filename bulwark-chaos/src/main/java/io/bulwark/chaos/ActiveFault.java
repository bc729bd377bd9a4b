package io.bulwark.chaos;

import java.time.Instant;

/**
 * A fault that is active now, as listed by {@link Chaos#active()}: its id, what was started, when,
 * and when it expires (it always does).
 *
 * @param id the id to clear it by
 * @param spec what was started
 * @param startedAt when it started (the controller's wall clock)
 * @param expiresAt when it expires (the controller's wall clock)
 */
public record ActiveFault(String id, FaultSpec spec, Instant startedAt, Instant expiresAt) {}
