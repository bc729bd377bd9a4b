package io.bulwark.examples.shop.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoadOptionsTest {

  @ParameterizedTest
  @ValueSource(doubles = {0, -1, 5000.5, Double.NaN, Double.POSITIVE_INFINITY})
  void aBadRateIsRefusedNamingIt(double rate) {
    assertThatThrownBy(() -> LoadOptions.of(rate, Duration.ofSeconds(10), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rate")
        .hasMessageContaining(String.valueOf(rate));
  }

  @Test
  void theRateBoundsAreAccepted() {
    assertThat(LoadOptions.of(LoadOptions.MAX_RATE, Duration.ofSeconds(1), 1).rate())
        .isEqualTo(LoadOptions.MAX_RATE);
    assertThat(LoadOptions.of(0.5, Duration.ofSeconds(4), 1).scheduledRequests()).isEqualTo(2);
  }

  @Test
  void aBadDurationIsRefusedNamingIt() {
    assertThatThrownBy(() -> LoadOptions.of(10, Duration.ofMillis(999), 1))
        .hasMessageContaining("duration")
        .hasMessageContaining("999ms");
    assertThatThrownBy(() -> LoadOptions.of(10, Duration.ofHours(25), 1))
        .hasMessageContaining("90000000ms");
    assertThatThrownBy(() -> new LoadOptions(10, Duration.ofSeconds(5), 1, Duration.ZERO))
        .hasMessageContaining("timeout")
        .hasMessageContaining("PT0S");
  }

  @Test
  void requestsAreDueAtTheirIntendedTimes() {
    LoadOptions options = LoadOptions.of(40, Duration.ofSeconds(3), 1);
    assertThat(options.scheduledRequests()).isEqualTo(120);
    assertThat(options.intendedOffsetNanos(0)).isZero();
    assertThat(options.intendedOffsetNanos(1)).isEqualTo(25_000_000L);
    assertThat(options.intendedOffsetNanos(119)).isEqualTo(2_975_000_000L);
  }
}
