package io.bulwark.telemetry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimeSeriesStoreTest {
  final VirtualClock clock = new VirtualClock();
  final TimeSeriesStore store =
      TimeSeriesStore.builder()
          .clock(clock)
          .resolution(Duration.ofMinutes(1))
          .retention(Duration.ofMinutes(10))
          .build();
  final SeriesKey key = SeriesKey.of("m", "a", "1");

  @Test
  void rangeReturnsOneSamplePerStepAndLaterWritesInAStepWin() {
    for (int i = 0; i < 5; i++) {
      store.record(key, i);
      store.record(key, i * 10); // same step: replaces
      clock.advance(Duration.ofMinutes(1));
    }
    // now at step 5 with no sample; window 3m = steps 3..5
    assertThat(store.range(key, Duration.ofMinutes(3)))
        .extracting(Sample::value)
        .containsExactly(30.0, 40.0);
    assertThat(store.range(key, Duration.ofMinutes(3)).get(0).time())
        .isEqualTo(VirtualClock.DEFAULT_START.plus(Duration.ofMinutes(3)));
  }

  @Test
  void increaseIsCounterDifferenceOverTheWindowCountingFromZero() {
    double[] counter = {5, 7, 7, 12, 20};
    for (double v : counter) {
      store.record(key, v);
      clock.advance(Duration.ofMinutes(1));
    }
    assertThat(store.increase(key, Duration.ofMinutes(2))).isEqualTo(20 - 12); // value@5 - value@3
    assertThat(store.increase(key, Duration.ofMinutes(5))).isEqualTo(20 - 5); // value@0 = 5
    assertThat(store.increase(key, Duration.ofMinutes(6))).isEqualTo(20); // before data: 0
    assertThat(store.sumIncrease("m", Map.of(), Duration.ofMinutes(2))).isEqualTo(8);
  }

  @Test
  void ringDropsStepsOlderThanTheRetention() {
    for (int i = 0; i < 25; i++) {
      store.record(key, i);
      clock.advance(Duration.ofMinutes(1));
    }
    // now step 25; a 10m window is steps 16..25, of which 16..24 hold samples
    assertThat(store.range(key, Duration.ofMinutes(10))).hasSize(9);
    assertThat(store.latest(key)).isEqualTo(24);
    assertThat(store.increase(key, Duration.ofMinutes(10))).isEqualTo(24 - 15);
  }

  @Test
  void quantileInterpolatesBetweenClosestRanks() {
    for (double v : new double[] {10, 40, 20, 30}) {
      store.record(key, v);
      clock.advance(Duration.ofMinutes(1));
    }
    // sorted 10,20,30,40 ; q=0.5 -> rank 1.5 -> 25 ; q=0.9 -> rank 2.7 -> 37
    assertThat(store.quantile(key, 0.5, Duration.ofMinutes(5))).isEqualTo(25.0);
    assertThat(store.quantile(key, 0.9, Duration.ofMinutes(5)))
        .isCloseTo(37.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(store.quantile(key, 0, Duration.ofMinutes(5))).isEqualTo(10.0);
    assertThat(store.quantile(SeriesKey.of("none"), 0.5, Duration.ofMinutes(5))).isNaN();
  }

  @Test
  void histogramQuantileMatchesPrometheusInterpolation() {
    // bucket counters go from 0 to: le=0.1 -> 50, le=0.5 -> 90, le=1 -> 100, +Inf -> 100
    buckets(Map.of("0.1", 50.0, "0.5", 90.0, "1.0", 100.0, "+Inf", 100.0));
    Duration w = Duration.ofMinutes(1);
    // p50: rank 50 -> in first bucket: 0 + 0.1 * 50/50 = 0.1
    assertThat(store.histogramQuantile("h", Map.of(), 0.5, w)).isCloseTo(0.1, within());
    // p75: rank 75 -> bucket (0.1,0.5]: 0.1 + 0.4 * (75-50)/(90-50) = 0.35
    assertThat(store.histogramQuantile("h", Map.of(), 0.75, w)).isCloseTo(0.35, within());
    // p95: rank 95 -> bucket (0.5,1]: 0.5 + 0.5 * (95-90)/10 = 0.75
    assertThat(store.histogramQuantile("h", Map.of(), 0.95, w)).isCloseTo(0.75, within());
  }

  @Test
  void histogramQuantileInTheInfBucketReturnsTheLargestFiniteBound() {
    buckets(Map.of("0.1", 1.0, "+Inf", 10.0));
    assertThat(store.histogramQuantile("h", Map.of(), 0.99, Duration.ofMinutes(1))).isEqualTo(0.1);
  }

  /** Bucket counters at 0 on one step and at the given values on the next. */
  private void buckets(Map<String, Double> after) {
    after.keySet().forEach(le -> store.record(SeriesKey.of("h_bucket", "le", le), 0));
    clock.advance(Duration.ofMinutes(1));
    after.forEach((le, v) -> store.record(SeriesKey.of("h_bucket", "le", le), v));
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  @Test
  void badWindowsAndSettingsAreRejectedWithTheValue() {
    assertThatThrownBy(() -> store.increase(key, Duration.ofSeconds(90)))
        .hasMessageContaining("PT1M30S")
        .hasMessageContaining("multiple of the resolution");
    assertThatThrownBy(() -> store.increase(key, Duration.ofMinutes(11)))
        .hasMessageContaining("longer than the retention");
    assertThatThrownBy(() -> store.quantile(key, 1.5, Duration.ofMinutes(1)))
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> TimeSeriesStore.builder().resolution(Duration.ZERO))
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> SeriesKey.of("bad name")).hasMessageContaining("bad name");
    TimeSeriesStore tiny = TimeSeriesStore.builder().clock(clock).maxSeries(1).build();
    tiny.record(key, 1);
    assertThatThrownBy(() -> tiny.record(SeriesKey.of("other"), 1))
        .hasMessageContaining("at most 1 series");
  }
}
