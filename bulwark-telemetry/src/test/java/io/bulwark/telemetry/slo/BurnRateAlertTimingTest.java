package io.bulwark.telemetry.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.store.StoreScraper;
import io.bulwark.telemetry.store.TimeSeriesStore;
import io.bulwark.test.VirtualClock;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts fire and clear at exactly the hand-computed minutes, with traffic recorded through the RED
 * recorder, scraped into the store every virtual minute and evaluated after each scrape.
 *
 * <p>Traffic: 1,000 requests a minute; 60 clean minutes, then 2% errors (burn 20 for a 99.9% SLO)
 * for 50 minutes, then clean again. After m error minutes (evaluation at minute 60+m):
 *
 * <ul>
 *   <li>ticket 1x 3d/6h: both windows hold everything: 20m/(60+m) &gt; 1 first at m=4 (minute 64)
 *   <li>page 6x 6h/30m: long 20m/(60+m) &gt; 6 first at m=26 (86); short 20*min(m,30)/30 is 17.3
 *   <li>page 14.4x 1h/5m: long 20m/60 &gt; 14.4 first at m=44 (104); short is 20
 * </ul>
 *
 * After j clean minutes: page 1h/5m short burn 4*(5-j) is 12 at j=2 (minute 112: resolves); page
 * 6h/30m short burn 20*(30-j)/30 is 6 (not above 6) at j=21 (minute 131: resolves); the ticket's 6h
 * window still holds the 1,000 errors (burn &ge; 2.7), so it keeps firing.
 */
class BurnRateAlertTimingTest {
  final VirtualScheduler scheduler = new VirtualScheduler();
  final VirtualClock clock = scheduler.virtualClock();
  final BulwarkTelemetry telemetry = BulwarkTelemetry.builder().clock(clock).build();
  final TimeSeriesStore store =
      TimeSeriesStore.builder()
          .clock(clock)
          .resolution(Duration.ofMinutes(1))
          .retention(Duration.ofDays(30))
          .build();
  final RedRecorder checkout = telemetry.endpoint("checkout");

  @AfterEach
  void close() {
    telemetry.close();
  }

  void minute(int errors) {
    for (int i = 0; i < 1000; i++) {
      checkout.record(i < errors ? Outcome.ERROR : Outcome.SUCCESS, 1_000_000);
    }
    scheduler.advance(Duration.ofMinutes(1));
  }

  @Test
  void workbookAlertsFireAndClearAtTheComputedMinutes() {
    Slo slo =
        Slo.builder("checkout").sli(Sli.endpointAvailability("checkout")).objective(0.999).build();
    List<String> log = new ArrayList<>();
    SloEvaluator evaluator =
        new SloEvaluator(
            store,
            List.of(slo),
            clock,
            e ->
                log.add(
                    Duration.between(VirtualClock.DEFAULT_START, e.at()).toMinutes()
                        + " "
                        + e.alert().id()
                        + (e.firing() ? " FIRING" : " RESOLVED")));
    new StoreScraper(telemetry, store).start(scheduler);
    for (int minute = 0; minute < 150; minute++) {
      minute(minute >= 60 && minute < 110 ? 20 : 0);
      evaluator.evaluate();
    }
    assertThat(log)
        .containsExactly(
            "64 ticket-3d-6h FIRING",
            "86 page-6h-30m FIRING",
            "104 page-1h-5m FIRING",
            "112 page-1h-5m RESOLVED",
            "131 page-6h-30m RESOLVED");
    assertThat(evaluator.isFiring("checkout", "ticket-3d-6h")).isTrue();
    SloStatus status = evaluator.status().get(0);
    // 1,000 bad of 150,000 in the 30-day window; budget 150 -> remaining 1 - 1000/150
    assertThat(status.errorBudgetRemaining())
        .isCloseTo(1 - 1000 / 150.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(status.firing()).containsExactly("ticket-3d-6h");
  }

  @Test
  void minimumEventsKeepsLowTrafficFromPaging() {
    Slo slo =
        Slo.builder("checkout")
            .sli(Sli.endpointAvailability("checkout"))
            .objective(0.999)
            .minimumEvents(100_000)
            .build();
    List<AlertEvent> events = new ArrayList<>();
    SloEvaluator evaluator = new SloEvaluator(store, List.of(slo), clock, events::add);
    new StoreScraper(telemetry, store).start(scheduler);
    for (int minute = 0; minute < 90; minute++) {
      minute(500); // 50% errors, but at most 90,000 events in any window
      evaluator.evaluate();
    }
    assertThat(events).isEmpty();
    minute(500);
    minute(500); // long 3d and 6h windows now hold 92,000: still below; 1h holds 60,000
    assertThat(evaluator.evaluate()).isEmpty();
  }

  /**
   * 72 errors a minute (of 1,000) against 99.9%: the 5m burn is 72 and the 1h burn after m error
   * minutes is 72m/60 = 1.2m, exactly 14.4 at m=12 (minute 72: must NOT fire, the rule is strictly
   * above) and 15.6 at m=13 (minute 73: fires). Errors stop after m=20; after j clean minutes the
   * 5m burn is 14.4*(5-j): 28.8 at j=3 (still firing), exactly 14.4 at j=4 (minute 84: resolves).
   */
  @Test
  void firesAndClearsExactlyAtTheThreshold() {
    Slo slo =
        Slo.builder("checkout")
            .sli(Sli.endpointAvailability("checkout"))
            .objective(0.999)
            .alerts(List.of(BurnRateAlert.sreWorkbookDefaults().get(0)))
            .build();
    List<String> log = new ArrayList<>();
    SloEvaluator evaluator =
        new SloEvaluator(
            store,
            List.of(slo),
            clock,
            e ->
                log.add(
                    Duration.between(VirtualClock.DEFAULT_START, e.at()).toMinutes()
                        + (e.firing() ? " FIRING" : " RESOLVED")));
    new StoreScraper(telemetry, store).start(scheduler);
    for (int minute = 0; minute < 90; minute++) {
      minute(minute >= 60 && minute < 80 ? 72 : 0);
      evaluator.evaluate();
      if (minute + 1 == 72) {
        assertThat(slo.burnRate(store, Duration.ofHours(1)))
            .isCloseTo(14.4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(evaluator.isFiring("checkout", "page-1h-5m")).isFalse();
      }
      if (minute + 1 == 84) {
        assertThat(slo.burnRate(store, Duration.ofMinutes(5)))
            .isCloseTo(14.4, org.assertj.core.data.Offset.offset(1e-9));
      }
    }
    assertThat(log).containsExactly("73 FIRING", "84 RESOLVED");
  }
}
