package io.bulwark.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChecksTest {

  @Test
  void positiveAcceptsTheSmallestPositiveValueAndReturnsIt() {
    assertThat(Checks.positive("permits", 1)).isEqualTo(1);
    assertThat(Checks.positive("permits", 1L)).isEqualTo(1L);
    assertThat(Checks.positive("k", Double.MIN_VALUE)).isEqualTo(Double.MIN_VALUE);
    assertThat(Checks.positive("timeout", Duration.ofNanos(1))).isEqualTo(Duration.ofNanos(1));
  }

  @Test
  void positiveRejectsZeroNamingTheFieldAndValue() {
    assertThatThrownBy(() -> Checks.positive("permits", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be positive, was 0");
    assertThatThrownBy(() -> Checks.positive("maxKeys", -1L))
        .hasMessage("maxKeys must be positive, was -1");
    assertThatThrownBy(() -> Checks.positive("timeout", Duration.ZERO))
        .hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(() -> Checks.positive("k", 0.0)).hasMessage("k must be positive, was 0.0");
  }

  @Test
  void doubleChecksRejectNanAndInfinity() {
    assertThatThrownBy(() -> Checks.positive("k", Double.NaN))
        .hasMessage("k must be positive, was NaN");
    assertThatThrownBy(() -> Checks.positive("k", Double.POSITIVE_INFINITY))
        .hasMessage("k must be positive, was Infinity");
    assertThatThrownBy(() -> Checks.notNegative("k", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checks.atLeast("multiplier", Double.POSITIVE_INFINITY, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checks.fraction("ratio", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checks.percent("threshold", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void notNegativeAcceptsZeroAndRejectsBelow() {
    assertThat(Checks.notNegative("burst", 0)).isZero();
    assertThat(Checks.notNegative("burst", 0L)).isZero();
    assertThat(Checks.notNegative("weight", 0.0)).isZero();
    assertThat(Checks.notNegative("maxWait", Duration.ZERO)).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Checks.notNegative("burst", -1))
        .hasMessage("burst must not be negative, was -1");
    assertThatThrownBy(() -> Checks.notNegative("maxWait", Duration.ofNanos(-1)))
        .hasMessage("maxWait must not be negative, was PT-0.000000001S");
  }

  @Test
  void rangesIncludeTheirBoundsAndExcludeTheirNeighbours() {
    assertThat(Checks.fraction("ratio", 0)).isZero();
    assertThat(Checks.fraction("ratio", 1)).isEqualTo(1);
    assertThatThrownBy(() -> Checks.fraction("ratio", Math.nextUp(1.0)))
        .hasMessage("ratio must be in [0, 1], was 1.0000000000000002");
    assertThatThrownBy(() -> Checks.positiveFraction("backoffRatio", 0))
        .hasMessage("backoffRatio must be in (0, 1], was 0.0");
    assertThat(Checks.positiveFraction("backoffRatio", 1)).isEqualTo(1);
    assertThat(Checks.percent("threshold", 100)).isEqualTo(100);
    assertThatThrownBy(() -> Checks.percent("threshold", 0))
        .hasMessage("threshold must be in (0, 100] percent, was 0.0");
    assertThatThrownBy(() -> Checks.percent("threshold", 100.5))
        .hasMessage("threshold must be in (0, 100] percent, was 100.5");
    assertThat(Checks.inRange("port", 0, 0, 65535)).isZero();
    assertThat(Checks.inRange("port", 65535, 0, 65535)).isEqualTo(65535);
    assertThatThrownBy(() -> Checks.inRange("port", 65536, 0, 65535))
        .hasMessage("port must be in [0, 65535], was 65536");
    assertThatThrownBy(() -> Checks.inRange("tolerance", 0.99, 1.0, 10.0))
        .hasMessage("tolerance must be in [1.0, 10.0], was 0.99");
  }

  @Test
  void atLeastNamesTheMinimum() {
    assertThat(Checks.atLeast("minLimit", 1, 1)).isEqualTo(1);
    assertThatThrownBy(() -> Checks.atLeast("minLimit", 0, 1))
        .hasMessage("minLimit must be at least 1, was 0");
    assertThat(Checks.atLeast("multiplier", 1.0, 1.0)).isEqualTo(1.0);
    assertThatThrownBy(() -> Checks.atLeast("multiplier", 0.5, 1.0))
        .hasMessage("multiplier must be at least 1.0, was 0.5");
  }

  @Test
  void notBlankQuotesTheValueAndNullsNameTheField() {
    assertThat(Checks.notBlank("name", "orders")).isEqualTo("orders");
    assertThatThrownBy(() -> Checks.notBlank("name", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was \" \"");
    assertThatThrownBy(() -> Checks.notBlank("name", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name must not be null");
    assertThatThrownBy(() -> Checks.positive("timeout", (Duration) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout must not be null");
  }

  @Test
  void aRejectedSetterValueReachesTheReaderWithFileLineAndKey() {
    ConfigLoader loader = ConfigLoader.withEnv(java.util.Map.of());
    assertThatThrownBy(
            () ->
                loader.parse(
                    "a: 1\nwait: 0s\n",
                    "c.yaml",
                    r -> {
                      r.integer("a", v -> Checks.positive("a", v))
                          .duration("wait", v -> Checks.positive("wait", v));
                      return r;
                    }))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("c.yaml:2: wait: wait must be positive, was PT0S");
  }
}
