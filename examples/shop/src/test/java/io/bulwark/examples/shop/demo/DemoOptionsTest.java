package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoOptionsTest {

  @Test
  void durationsReadAsTheyAreWritten() {
    assertThat(DemoOptions.parseDuration("60s")).isEqualTo(Duration.ofSeconds(60));
    assertThat(DemoOptions.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DemoOptions.parseDuration("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DemoOptions.parseDuration("90")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DemoOptions.parseDuration(" 1H ")).isEqualTo(Duration.ofHours(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5x", "-1s", "", "1.5s", "s", "1234567s"})
  void aMalformedDurationIsRefusedNamingIt(String text) {
    assertThatThrownBy(() -> DemoOptions.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  @Test
  void theDefaultsAreValidAndEverySetterNamesItsBadValue() {
    DemoOptions defaults = DemoOptions.builder().build();
    assertThat(defaults.scenario()).isEqualTo("game-day");
    assertThat(defaults.resilience()).isTrue();
    assertThat(defaults.duration()).isEqualTo(DemoOptions.DEFAULT_DURATION);
    assertThatThrownBy(() -> DemoOptions.builder().scenario("nope")).hasMessageContaining("nope");
    assertThatThrownBy(() -> DemoOptions.builder().rate(0)).hasMessageContaining("0.0");
    assertThatThrownBy(() -> DemoOptions.builder().duration(Duration.ofMillis(10)))
        .hasMessageContaining("10ms");
    assertThatThrownBy(() -> DemoOptions.builder().warmup(Duration.ofMillis(500)))
        .hasMessageContaining("500ms");
    assertThat(DemoOptions.builder().warmup(Duration.ZERO).build().warmup()).isZero();
    assertThatThrownBy(() -> DemoOptions.builder().basePort(-1).build()).hasMessageContaining("-1");
    assertThatThrownBy(() -> DemoOptions.builder().basePort(65530).build())
        .hasMessageContaining("65530");
  }
}
