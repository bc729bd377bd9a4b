package io.bulwark.telemetry.store;

import java.time.Instant;

/** One stored value of a series at the start of its step. */
public record Sample(Instant time, double value) {}
