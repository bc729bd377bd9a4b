package io.bulwark.http.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
  private final VirtualClock clock = new VirtualClock();
  private final List<String> all = List.of("a", "b", "c", "d");

  private OutlierDetector detector(OutlierConfig.Builder b) {
    return new OutlierDetector(b.build(), clock);
  }

  @Test
  void consecutiveFailuresEjectAndEjectionEndsByItself() {
    OutlierDetector d =
        detector(
            OutlierConfig.builder().consecutiveFailures(3).baseEjection(Duration.ofSeconds(30)));
    assertThat(d.record("a", false, all)).isFalse();
    assertThat(d.record("a", false, all)).isFalse();
    assertThat(d.record("a", true, all)).isFalse();
    assertThat(d.record("a", false, all)).isFalse();
    assertThat(d.record("a", false, all)).isFalse();
    assertThat(d.record("a", false, all)).isTrue();
    assertThat(d.isEjected("a")).isTrue();
    clock.advance(Duration.ofSeconds(29));
    assertThat(d.isEjected("a")).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(d.isEjected("a")).isFalse();
  }

  @Test
  void ejectionTimeGrowsOnRepeatUpToTheMaximum() {
    OutlierDetector d =
        detector(
            OutlierConfig.builder()
                .consecutiveFailures(1)
                .baseEjection(Duration.ofSeconds(10))
                .maxEjection(Duration.ofSeconds(25)));
    long[] expectedSeconds = {10, 20, 25, 25};
    for (long seconds : expectedSeconds) {
      assertThat(d.record("a", false, all)).isTrue();
      clock.advance(Duration.ofSeconds(seconds).minusMillis(1));
      assertThat(d.isEjected("a")).isTrue();
      clock.advance(Duration.ofMillis(1));
      assertThat(d.isEjected("a")).isFalse();
    }
    assertThat(d.ejections("a")).isEqualTo(4);
  }

  @Test
  void failureRateWithinAnIntervalEjects() {
    OutlierDetector d =
        detector(
            OutlierConfig.builder()
                .consecutiveFailures(100)
                .failureRateThreshold(0.5)
                .minimumRequests(10)
                .interval(Duration.ofSeconds(10)));
    boolean ejected = false;
    for (int i = 0; i < 10; i++) {
      ejected |= d.record("a", i % 2 == 0, all);
    }
    assertThat(ejected).isTrue();
    assertThat(d.isEjected("a")).isTrue();
  }

  @Test
  void failureRateWindowResetsEachInterval() {
    OutlierDetector d =
        detector(
            OutlierConfig.builder()
                .consecutiveFailures(100)
                .failureRateThreshold(0.5)
                .minimumRequests(10)
                .interval(Duration.ofSeconds(10)));
    for (int i = 0; i < 9; i++) {
      d.record("a", i % 3 != 0, all);
    }
    clock.advance(Duration.ofSeconds(10));
    for (int i = 0; i < 5; i++) {
      assertThat(d.record("a", i % 2 == 0, all)).isFalse();
    }
    assertThat(d.isEjected("a")).isFalse();
  }

  @Test
  void neverEjectsMoreThanTheConfiguredShare() {
    OutlierDetector d =
        detector(OutlierConfig.builder().consecutiveFailures(1).maxEjectedShare(0.5));
    assertThat(d.record("a", false, all)).isTrue();
    assertThat(d.record("b", false, all)).isTrue();
    assertThat(d.record("c", false, all)).isFalse();
    assertThat(d.isEjected("c")).isFalse();
  }

  @Test
  void badConfigNamesTheValue() {
    assertThatThrownBy(() -> OutlierConfig.builder().consecutiveFailures(0))
        .hasMessageContaining("consecutiveFailures")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> OutlierConfig.builder().failureRateThreshold(1.5))
        .hasMessageContaining("1.5");
    assertThatThrownBy(
            () ->
                OutlierConfig.builder()
                    .baseEjection(Duration.ofMinutes(10))
                    .maxEjection(Duration.ofMinutes(1))
                    .build())
        .hasMessageContaining("maxEjection");
  }
}
