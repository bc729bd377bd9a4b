package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The process-mode warm-up's rate ramp: 10 % at the start, the full rate from its end on. */
class WarmupRampTest {
  @Test
  void rampsFromATenthToTheFullRateAndStaysThere() {
    assertThat(DemoRun.rampFactor(0, 15)).isCloseTo(0.1, within(1e-9));
    assertThat(DemoRun.rampFactor(5, 15)).isCloseTo(0.4, within(1e-9));
    assertThat(DemoRun.rampFactor(14, 15)).isCloseTo(0.94, within(1e-9));
    assertThat(DemoRun.rampFactor(15, 15)).isEqualTo(1.0);
    assertThat(DemoRun.rampFactor(29, 15)).isEqualTo(1.0);
    assertThat(DemoRun.rampFactor(0, 1)).isCloseTo(0.1, within(1e-9));
    assertThat(DemoRun.rampFactor(1, 1)).isEqualTo(1.0);
  }
}
