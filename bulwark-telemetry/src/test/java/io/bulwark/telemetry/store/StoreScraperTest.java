package io.bulwark.telemetry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreScraperTest {

  @Test
  void scrapedRedMetricsAnswerRangeAndLatencyQuantileQueries() {
    VirtualScheduler scheduler = new VirtualScheduler();
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().clock(scheduler.clock()).build()) {
      TimeSeriesStore store =
          TimeSeriesStore.builder()
              .clock(scheduler.clock())
              .resolution(Duration.ofSeconds(10))
              .retention(Duration.ofHours(1))
              .build();
      RedRecorder search = t.endpoint("search");
      new StoreScraper(t, store).start(scheduler);
      for (int i = 0; i < 6; i++) {
        // each 10s: 80 requests of 20 ms and 20 of 200 ms
        for (int n = 0; n < 100; n++) {
          search.success(n < 80 ? 20_000_000 : 200_000_000);
        }
        scheduler.advance(Duration.ofSeconds(10));
      }
      SeriesKey ok =
          SeriesKey.of(
              "bulwark_endpoint_requests_total", "endpoint", "search", "outcome", "success");
      assertThat(store.range(ok, Duration.ofSeconds(30)))
          .extracting(Sample::value)
          .containsExactly(400.0, 500.0, 600.0);
      assertThat(store.increase(ok, Duration.ofMinutes(1))).isEqualTo(600);
      // over the minute: 480 in (0.01,0.025], 120 in (0.1,0.25]
      // p50: rank 300 -> 0.01 + 0.015 * 300/480 = 0.019375
      assertThat(
              store.histogramQuantile(
                  "bulwark_endpoint_duration_seconds",
                  Map.of("endpoint", "search"),
                  0.5,
                  Duration.ofMinutes(1)))
          .isCloseTo(0.019375, offset(1e-12));
      // p90: rank 540 -> 0.1 + 0.15 * (540-480)/120 = 0.175
      assertThat(
              store.histogramQuantile(
                  "bulwark_endpoint_duration_seconds",
                  Map.of("endpoint", "search"),
                  0.9,
                  Duration.ofMinutes(1)))
          .isCloseTo(0.175, offset(1e-12));
    }
  }
}
