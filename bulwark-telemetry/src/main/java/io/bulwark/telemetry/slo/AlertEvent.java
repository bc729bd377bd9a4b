package io.bulwark.telemetry.slo;

import java.time.Instant;

/**
 * An alert changed state.
 *
 * @param slo the SLO name
 * @param alert the alert rule
 * @param firing true when it started firing, false when it resolved
 * @param at when (clock time of the evaluation)
 * @param longBurnRate burn rate over the long window at that moment
 * @param shortBurnRate burn rate over the short window at that moment
 */
public record AlertEvent(
    String slo,
    BurnRateAlert alert,
    boolean firing,
    Instant at,
    double longBurnRate,
    double shortBurnRate) {}
