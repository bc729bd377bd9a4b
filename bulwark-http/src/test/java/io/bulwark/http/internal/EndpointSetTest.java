package io.bulwark.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.test.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A discovery snapshot's usable sublists are exactly the masked endpoints, whoever asks. */
class EndpointSetTest {
  private static List<EndpointState> endpoints(int n) {
    VirtualClock clock = new VirtualClock();
    List<EndpointState> eps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      eps.add(new EndpointState(Endpoint.of("10.2.0." + i, 80), clock, 1_000_000_000L));
    }
    return eps;
  }

  private static List<EndpointState> expected(List<EndpointState> all, long mask) {
    List<EndpointState> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if ((mask & (1L << i)) != 0) {
        out.add(all.get(i));
      }
    }
    return out;
  }

  @Test
  void boundaryMasksAndSizes() {
    for (int n : new int[] {0, 1, 2, 63, 64}) {
      EndpointSet set = new EndpointSet(endpoints(n));
      long full = n == 64 ? -1L : (1L << n) - 1;
      assertThat(set.subset(full)).isSameAs(set.all()).hasSize(n);
      assertThat(set.subset(0)).isEmpty();
      assertThat(set.wide()).isFalse();
      if (n > 0) {
        long last = 1L << (n - 1);
        assertThat(set.subset(last)).containsExactly(set.all().get(n - 1));
      }
    }
    assertThat(new EndpointSet(endpoints(65)).wide()).isTrue();
  }

  @Test
  void aRepeatedMaskIsServedWithoutANewListAndAnotherMaskIsNeverServedStale() {
    EndpointSet set = new EndpointSet(endpoints(5));
    List<EndpointState> a = set.subset(0b10110);
    assertThat(set.subset(0b10110)).isSameAs(a);
    assertThat(set.subset(0b00011)).containsExactlyElementsOf(expected(set.all(), 0b00011));
    assertThat(set.subset(0b10110)).containsExactlyElementsOf(expected(set.all(), 0b10110));
  }

  @Test
  void racingCallersWithDifferentMasksEachGetTheirOwnSubset() throws Exception {
    EndpointSet set = new EndpointSet(endpoints(12));
    List<Future<Boolean>> results = new ArrayList<>();
    try (ExecutorService callers = Executors.newFixedThreadPool(4)) {
      for (int t = 0; t < 4; t++) {
        long seed = t;
        results.add(
            callers.submit(
                () -> {
                  Random random = new Random(seed);
                  for (int i = 0; i < 20_000; i++) {
                    long mask = random.nextInt(1 << 12);
                    if (!set.subset(mask).equals(expected(set.all(), mask))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
