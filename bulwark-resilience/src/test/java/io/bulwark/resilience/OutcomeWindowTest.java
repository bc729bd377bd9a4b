package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The sliding windows against a reference model: the counts of the last N outcomes. */
class OutcomeWindowTest {

  @Property(tries = 300)
  void countWindowHoldsExactlyTheLastNOutcomes(
      @ForAll @IntRange(min = 1, max = 120) int size,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 3) Integer> outcomes) {
    assertMatchesTheLastNOutcomes(size, outcomes);
  }

  @Property(tries = 300)
  void countWindowStaysExactAcrossLongRunsOfSuccesses(
      @ForAll @IntRange(min = 1, max = 20) int size,
      @ForAll @Size(max = 600) List<@IntRange(min = 0, max = 40) Integer> draws) {
    // mostly successes, so the ring is often full of them and successes skip their write
    assertMatchesTheLastNOutcomes(size, draws.stream().map(d -> d <= 3 ? d : 0).toList());
  }

  /** Records each outcome (bit 1 failure, bit 2 slow) and compares with the last {@code size}. */
  private static void assertMatchesTheLastNOutcomes(int size, List<Integer> outcomes) {
    CountWindow window = new CountWindow(size);
    List<Integer> seen = new ArrayList<>();
    for (int outcome : outcomes) {
      window.record(0, (outcome & 1) != 0, (outcome & 2) != 0);
      seen.add(outcome);
      List<Integer> last = seen.subList(Math.max(0, seen.size() - size), seen.size());
      int failures = (int) last.stream().filter(o -> (o & 1) != 0).count();
      int slowCalls = (int) last.stream().filter(o -> (o & 2) != 0).count();
      assertThat(window.metrics(0))
          .isEqualTo(new CircuitBreaker.Metrics(last.size(), failures, slowCalls));
    }
  }

  @Property(tries = 200)
  void timeWindowCountsOnlyTheLastNSeconds(
      @ForAll @IntRange(min = 1, max = 20) int seconds,
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 2_500) Integer> gapsMillis) {
    TimeWindow window = new TimeWindow(seconds, 0);
    List<long[]> seen = new ArrayList<>();
    long now = 0;
    int i = 0;
    for (int gap : gapsMillis) {
      now += gap * 1_000_000L;
      boolean failure = i++ % 3 == 0;
      window.record(now, failure, false);
      seen.add(new long[] {now / 1_000_000_000L, failure ? 1 : 0});
      long epoch = now / 1_000_000_000L;
      long calls = seen.stream().filter(s -> s[0] > epoch - seconds).count();
      long failures = seen.stream().filter(s -> s[0] > epoch - seconds && s[1] == 1).count();
      assertThat(window.metrics(now))
          .isEqualTo(new CircuitBreaker.Metrics((int) calls, (int) failures, 0));
    }
  }

  @Test
  void stripedTimeWindowCountsEveryCallOfManyThreadsAndExpiresThem() throws Exception {
    TimeWindow window = new TimeWindow(10, 0, 4);
    int threads = 8;
    int calls = 20_000;
    long second = 1_000_000_000L;
    Drive.concurrently(
        threads,
        t -> {
          for (int i = 0; i < calls; i++) {
            // spread over seconds 0..4 of a 10 s window: nothing expires yet
            window.record((i % 5) * second, i % 4 == 0, i % 10 == 0);
          }
        });
    assertThat(window.metrics(4 * second))
        .isEqualTo(
            new CircuitBreaker.Metrics(threads * calls, threads * calls / 4, threads * calls / 10));
    assertThat(window.metrics(14 * second)).isEqualTo(new CircuitBreaker.Metrics(0, 0, 0));
  }

  @Test
  void countWindowCountersMatchItsContentAfterConcurrentRecords() throws Exception {
    CountWindow window = new CountWindow(100);
    recordConcurrently(
        window, 50_000, (id, i) -> ((i + id) % 4 == 0 ? 1 : 0) | ((i + id) % 5 == 0 ? 2 : 0));
    // all threads done: every slot written; counters must equal what the ring holds
    for (int i = 0; i < 100; i++) {
      window.record(0, i % 2 == 0, false);
    }
    assertThat(window.metrics(0)).isEqualTo(new CircuitBreaker.Metrics(100, 50, 0));
  }

  @Test
  void countWindowCountersMatchItsContentWhenSuccessesSkipConcurrently() throws Exception {
    CountWindow window = new CountWindow(100);
    // bursts of failures between long healthy stretches
    recordConcurrently(
        window,
        200_000,
        (id, i) -> (i / 1_000 + id) % 7 == 0 && i % 3 == 0 ? (i % 2 == 0 ? 3 : 1) : 0);
    // a quiet pass: 100 successes must empty the window of failures whatever it held
    for (int i = 0; i < 100; i++) {
      window.record(0, false, false);
    }
    assertThat(window.metrics(0)).isEqualTo(new CircuitBreaker.Metrics(100, 0, 0));
    for (int i = 0; i < 100; i++) {
      window.record(0, i % 4 == 0, i % 5 == 0);
    }
    assertThat(window.metrics(0)).isEqualTo(new CircuitBreaker.Metrics(100, 25, 20));
  }

  /** The outcome of call {@code i} of thread {@code id}: bit 1 failure, bit 2 slow. */
  private interface Outcomes {
    int of(int id, int i);
  }

  /** 8 threads, started together, each recording {@code calls} outcomes. */
  private static void recordConcurrently(CountWindow window, int calls, Outcomes outcomes)
      throws Exception {
    Drive.concurrently(
        8,
        id -> {
          for (int i = 0; i < calls; i++) {
            int outcome = outcomes.of(id, i);
            window.record(0, (outcome & 1) != 0, (outcome & 2) != 0);
          }
        });
  }
}
