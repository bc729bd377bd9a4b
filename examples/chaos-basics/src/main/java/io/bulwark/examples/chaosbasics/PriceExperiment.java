package io.bulwark.examples.chaosbasics;

import io.bulwark.chaos.experiment.AbortRule;
import io.bulwark.chaos.experiment.Experiment;
import io.bulwark.chaos.experiment.MetricCheck;
import io.bulwark.chaos.experiment.StepFault;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import java.time.Duration;
import java.util.Map;

/**
 * The experiment: for {@link #DURATION}, from {@link #FAULT_AT} to the end, 30 % of the requests
 * the price service receives on its price route fail with a 503 (chaos at the HTTP server point,
 * radius: service {@code price}, route {@link PriceServices#PRICE_ROUTE}). Steady-state hypothesis:
 * the front's quote endpoint stays at least 99 % available ({@link #QUOTE_SLO}), and the fault
 * really reached the price service ({@link #PRICE_ERRORS}: the increase of {@code
 * bulwark_endpoint_requests_total} of its price endpoint with outcome {@code error}, above 0).
 * Abort: when the quote SLO burns its budget more than 50 times too fast over 1 s (more than half
 * the quotes failing), the run stops and clears the fault; a 30 % fault stays under that.
 */
public final class PriceExperiment {
  public static final String NAME = "price-errors";
  public static final String QUOTE_SLO = "quote-availability";
  public static final String PRICE_ERRORS = "price-errors-seen";
  public static final double OBJECTIVE = 0.99;
  public static final double ERROR_PERCENT = 30;
  public static final Duration DURATION = Duration.ofSeconds(6);
  public static final Duration FAULT_AT = Duration.ofSeconds(1);

  private PriceExperiment() {}

  /** The experiment with {@code seed} (the fault's per-request choice is a function of it). */
  public static Experiment build(long seed) {
    return Experiment.builder(NAME)
        .seed(seed)
        .duration(DURATION)
        .tick(Duration.ofMillis(100))
        .slo(
            Slo.builder(QUOTE_SLO)
                .sli(Sli.endpointAvailability(PriceServices.QUOTE_ENDPOINT))
                .objective(OBJECTIVE)
                .build())
        .check(
            new MetricCheck(
                PRICE_ERRORS,
                MetricCheck.Query.INCREASE,
                "bulwark_endpoint_requests_total",
                Map.of("endpoint", PriceServices.PRICE_ENDPOINT, "outcome", "error"),
                0,
                MetricCheck.Comparison.ABOVE,
                0))
        .abort(new AbortRule(50, Duration.ofSeconds(1), 20))
        .step(
            "price-errors",
            FAULT_AT,
            DURATION.minus(FAULT_AT),
            StepFault.of("http-error", "http-server")
                .withParam("status", "503")
                .withTarget("service", PriceServices.PRICE_SERVICE)
                .withTarget("route", PriceServices.PRICE_ROUTE)
                .withPercent(ERROR_PERCENT))
        .build();
  }
}
