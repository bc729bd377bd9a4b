package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.load.KindSummary;
import io.bulwark.examples.shop.load.LoadReport;
import io.bulwark.examples.shop.load.RequestKind;
import io.bulwark.telemetry.slo.EventCounts;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/**
 * The shop's user-facing SLOs, as bulwark-telemetry {@link Slo} objects, judged on what the load
 * generator's users saw (the run is the SLO's window):
 *
 * <ul>
 *   <li>{@code availability}: 99 % of all requests succeed (2xx, or a 409 business answer);
 *   <li>{@code checkout-availability}: 99 % of checkout submissions succeed;
 *   <li>{@code latency}: 99 % of all requests complete within 500 ms of their intended start.
 * </ul>
 *
 * <p>Verdicts use the SLO math of docs/observability.md: error budget {@code b = 1 - objective}; an
 * SLO holds when {@code bad <= b × total} (exact in decimal); budget left = {@code 1 - bad / (b ×
 * total)}.
 */
public final class UserSlos {
  /** The latency SLO's threshold. */
  public static final Duration LATENCY_THRESHOLD = Duration.ofMillis(500);

  private static final Slo AVAILABILITY =
      Slo.builder("availability").sli(Sli.endpointAvailability("all")).objective(0.99).build();
  private static final Slo CHECKOUT =
      Slo.builder("checkout-availability")
          .sli(Sli.endpointAvailability("checkout"))
          .objective(0.99)
          .build();
  private static final Slo LATENCY =
      Slo.builder("latency")
          .sli(Sli.endpointLatency("all", LATENCY_THRESHOLD))
          .objective(0.99)
          .build();

  private UserSlos() {}

  /** The SLO objects, in the order of {@link #judge}'s verdicts. */
  public static List<Slo> slos() {
    return List.of(AVAILABILITY, CHECKOUT, LATENCY);
  }

  /** Judges every SLO on {@code report}. */
  public static List<SloVerdict> judge(LoadReport report) {
    KindSummary checkout = report.kind(RequestKind.CHECKOUT);
    return List.of(
        verdict(AVAILABILITY, report.requests() - report.errors(), report.requests()),
        verdict(CHECKOUT, checkout.requests() - checkout.errors(), checkout.requests()),
        verdict(LATENCY, report.requestsWithin(LATENCY_THRESHOLD), report.requests()));
  }

  /** The verdict of {@code slo} on {@code good} of {@code total} events. */
  public static SloVerdict verdict(Slo slo, long good, long total) {
    if (good < 0 || good > total) {
      throw new IllegalArgumentException(
          "SLO " + slo.name() + ": good must be in [0, total=" + total + "], was " + good);
    }
    EventCounts counts = new EventCounts(good, total);
    BigDecimal allowed = slo.errorBudget().multiply(BigDecimal.valueOf(total));
    boolean holds = BigDecimal.valueOf((long) counts.bad()).compareTo(allowed) <= 0;
    double left =
        total == 0 ? 1 : 1 - counts.bad() / (slo.errorBudget().doubleValue() * counts.total());
    return new SloVerdict(slo.name(), slo.objective(), good, total, left, holds);
  }

  /** True when every verdict holds. */
  public static boolean allHold(List<SloVerdict> verdicts) {
    return verdicts.stream().allMatch(SloVerdict::holds);
  }
}
