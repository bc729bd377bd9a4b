package io.bulwark.telemetry.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.bulwark.telemetry.store.SeriesKey;
import io.bulwark.telemetry.store.TimeSeriesStore;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Burn-rate and budget math against hand-computed cases, on counters written directly. */
class SloMathTest {
  final VirtualClock clock = new VirtualClock();
  final TimeSeriesStore store =
      TimeSeriesStore.builder()
          .clock(clock)
          .resolution(Duration.ofMinutes(1))
          .retention(Duration.ofDays(31))
          .build();
  final Slo slo =
      Slo.builder("checkout").sli(Sli.endpointAvailability("checkout")).objective(0.999).build();

  void counters(double success, double error) {
    store.record(ok(), success);
    store.record(
        SeriesKey.of("bulwark_endpoint_requests_total", "endpoint", "checkout", "outcome", "error"),
        error);
  }

  SeriesKey ok() {
    return SeriesKey.of(
        "bulwark_endpoint_requests_total", "endpoint", "checkout", "outcome", "success");
  }

  @Test
  void burnRateIsErrorRatioOverBudget() {
    counters(0, 0);
    clock.advance(Duration.ofHours(1));
    counters(9_856, 144); // 144 bad of 10,000 in the hour: ratio 0.0144, burn 14.4
    assertThat(slo.burnRate(store, Duration.ofHours(1))).isCloseTo(14.4, offset(1e-9));
    EventCounts c = slo.sli().counts(store, Duration.ofHours(1));
    assertThat(c.total()).isEqualTo(10_000);
    assertThat(c.bad()).isEqualTo(144);
    // exactly at the threshold does not count as "faster than"; one more error does
    assertThat(slo.burnsFasterThan(c, 14.4)).isFalse();
    assertThat(slo.burnsFasterThan(new EventCounts(9_855, 10_000), 14.4)).isTrue();
  }

  @Test
  void errorBudgetRemainingOverTheSloWindow() {
    counters(0, 0);
    clock.advance(Duration.ofDays(10));
    counters(999_750, 250); // budget of 1,000,000 events is 1,000 bad; 250 spent -> 75% left
    assertThat(slo.errorBudgetRemaining(store)).isCloseTo(0.75, offset(1e-12));
    clock.advance(Duration.ofDays(1));
    counters(1_999_000, 1_500); // 1,500 bad of 2,000,500: budget 2,000.5 -> 1 - 1500/2000.5
    assertThat(slo.errorBudgetRemaining(store)).isCloseTo(1 - 1500 / 2000.5, offset(1e-12));
  }

  @Test
  void noTrafficMeansFullBudgetAndZeroBurn() {
    assertThat(slo.errorBudgetRemaining(store)).isEqualTo(1.0);
    assertThat(slo.burnRate(store, Duration.ofMinutes(5))).isZero();
  }

  @Test
  void latencySliCountsRequestsWithinTheThresholdBucket() {
    Slo latency =
        Slo.builder("checkout-latency")
            .sli(Sli.endpointLatency("checkout", Duration.ofMillis(250)))
            .objective(0.99)
            .build();
    SeriesKey within =
        SeriesKey.of(
            "bulwark_endpoint_duration_seconds_bucket", "endpoint", "checkout", "le", "0.25");
    SeriesKey count =
        SeriesKey.of("bulwark_endpoint_duration_seconds_count", "endpoint", "checkout");
    store.record(within, 0);
    store.record(count, 0);
    clock.advance(Duration.ofMinutes(5));
    store.record(within, 970);
    store.record(count, 1000); // 30 slow of 1000: ratio 0.03, budget 0.01 -> burn 3
    assertThat(latency.burnRate(store, Duration.ofMinutes(5))).isCloseTo(3.0, offset(1e-9));
  }

  @Test
  void sreDefaultsAreTheWorkbookOnes() {
    assertThat(BurnRateAlert.sreWorkbookDefaults())
        .extracting(BurnRateAlert::id)
        .containsExactly("page-1h-5m", "page-6h-30m", "ticket-3d-6h");
    assertThat(BurnRateAlert.sreWorkbookDefaults())
        .extracting(BurnRateAlert::burnRate)
        .containsExactly(14.4, 6.0, 1.0);
  }

  @Test
  void badSloSettingsNameTheValue() {
    assertThatThrownBy(() -> Slo.builder("x").objective(1.0)).hasMessageContaining("was 1.0");
    assertThatThrownBy(() -> Slo.builder("bad name")).hasMessageContaining("\"bad name\"");
    assertThatThrownBy(() -> Slo.builder("x").build()).hasMessageContaining("needs an sli");
    assertThatThrownBy(
            () ->
                new BurnRateAlert(
                    BurnRateAlert.Severity.PAGE, 2, Duration.ofMinutes(5), Duration.ofHours(1)))
        .hasMessageContaining("PT1H");
    assertThatThrownBy(() -> Sli.endpointLatency("a", Duration.ZERO)).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> new Sli.Availability("queue", "a")).hasMessageContaining("\"queue\"");
  }
}
