package io.bulwark.telemetry.slo;

import java.util.List;

/**
 * The state of one SLO at an evaluation: budget left and the alerts that are firing.
 *
 * @param slo the SLO name
 * @param objective the objective
 * @param errorBudgetRemaining fraction of the budget left over the SLO window
 * @param firing ids of the alerts firing now ({@link BurnRateAlert#id()})
 */
public record SloStatus(
    String slo, double objective, double errorBudgetRemaining, List<String> firing) {}
