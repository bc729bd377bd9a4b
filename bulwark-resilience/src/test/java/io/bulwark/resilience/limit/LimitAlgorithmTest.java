package io.bulwark.resilience.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The limit algorithms are pure: fed samples, they must move the limit as documented. */
class LimitAlgorithmTest {
  private static final long MS = 1_000_000L;

  @Test
  void aimdGrowsByOneWhenBusyAndHalvesOnDrop() {
    LimitAlgorithm.Estimator aimd = new AimdLimit(10, 1, 20, 0.5, Duration.ofSeconds(1)).start();
    assertThat(aimd.onSample(5 * MS, 5, false)).isEqualTo(11);
    assertThat(aimd.onSample(5 * MS, 2, false)).as("app-limited: unchanged").isEqualTo(11);
    assertThat(aimd.onSample(5 * MS, 6, true)).isEqualTo(5);
    assertThat(aimd.onSample(1000 * MS, 6, false)).as("timeout counts as drop").isEqualTo(2);
  }

  @Test
  void vegasGrowsWhileLatencyStaysNearNoLoadAndShrinksWhenQueueing() {
    LimitAlgorithm.Estimator vegas = new VegasLimit(20, 1, 1000, 1.0).start();
    vegas.onSample(10 * MS, 20, false);
    int grown = vegas.onSample(10 * MS, 20, false);
    assertThat(grown).isGreaterThan(20);
    int shrunk = grown;
    for (int i = 0; i < 5; i++) {
      shrunk = vegas.onSample(100 * MS, shrunk, false);
    }
    assertThat(shrunk).isLessThan(grown);
    assertThat(vegas.onSample(10 * MS, shrunk, true)).isLessThan(shrunk);
  }

  @Test
  void gradient2ShrinksWhenLatencyRisesAndRecoversWhenItFalls() {
    LimitAlgorithm.Estimator g = new Gradient2Limit(50, 1, 1000, 1.5, 100, 4, 1.0).start();
    for (int i = 0; i < 50; i++) {
      g.onSample(10 * MS, g.limit(), false);
    }
    int steady = g.limit();
    assertThat(steady).isGreaterThan(50);
    for (int i = 0; i < 10; i++) {
      g.onSample(40 * MS, g.limit(), false);
    }
    int congested = g.limit();
    assertThat(congested).isLessThan(steady);
    for (int i = 0; i < 50; i++) {
      g.onSample(10 * MS, g.limit(), false);
    }
    assertThat(g.limit()).isGreaterThan(congested);
  }

  @Property(tries = 200)
  void everyAlgorithmStaysWithinItsBounds(
      @ForAll @LongRange(min = 1, max = 10_000_000_000L) long rtt,
      @ForAll @IntRange(min = 0, max = 5_000) int inflight,
      @ForAll boolean dropped,
      @ForAll @IntRange(min = 1, max = 50) int repeats) {
    LimitAlgorithm[] algorithms = {
      new AimdLimit(10, 2, 40, 0.7, Duration.ofMillis(500)),
      new VegasLimit(10, 2, 40, 0.5),
      new Gradient2Limit(10, 2, 40, 1.5, 10, 4, 0.5)
    };
    for (LimitAlgorithm a : algorithms) {
      LimitAlgorithm.Estimator e = a.start();
      for (int i = 0; i < repeats; i++) {
        int limit = e.onSample(rtt + i * MS, inflight, dropped ^ (i % 3 == 0));
        assertThat(limit).isBetween(2, 40);
      }
    }
  }

  @Test
  void settingsAreValidatedWithTheBadValue() {
    assertThatThrownBy(() -> new AimdLimit(0, 1, 10, 0.9, Duration.ofSeconds(1)))
        .hasMessage("initialLimit must be in [1, 10], was 0");
    assertThatThrownBy(() -> new VegasLimit(5, 1, 10, 0))
        .hasMessage("smoothing must be in [0.01, 1.0], was 0.0");
    assertThatThrownBy(() -> new Gradient2Limit(5, 1, 10, 0.5, 10, 4, 0.2))
        .hasMessage("tolerance must be in [1.0, 100.0], was 0.5");
  }
}
