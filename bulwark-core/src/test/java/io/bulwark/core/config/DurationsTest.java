package io.bulwark.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "10ns, 10",
    "100us, 100000",
    "250ms, 250000000",
    "2s, 2000000000",
    "1.5s, 1500000000",
    "5m, 300000000000",
    "1h, 3600000000000",
    "3d, 259200000000000",
    "PT0.5S, 500000000"
  })
  void parsesCommonForms(String text, long nanos) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ms", "5", "5 parsecs", "-1s", "1..5s", "PTxS", "999999999999d"})
  void rejectsOthersNamingTheText(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }
}
