package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.gateway.TrafficConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The split's statistics. The stated bound: over N independent draws with probability p, the count
 * lies within 4.5 standard deviations (sqrt(N p (1 - p))) of N p; a fair generator leaves it with
 * probability below 7e-6 per check, so a failure here means a biased split, not bad luck (and the
 * seeds are fixed, so every run draws the same sequence).
 */
class SplitterTest {
  private static final Map<String, String> NO_HEADERS = Map.of();

  static Splitter split(Map<String, Double> weights, long seed) {
    return new Splitter("r", TrafficConfig.Split.weighted(weights, seed), Decisions.noop());
  }

  static Splitter sticky(Map<String, Double> weights, TrafficConfig.Sticky key, long seed) {
    return new Splitter(
        "r", new TrafficConfig.Split(weights, List.of(), key, seed, Map.of()), Decisions.noop());
  }

  static Map<String, Double> w(Object... pairs) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], ((Number) pairs[i + 1]).doubleValue());
    }
    return out;
  }

  static void withinBound(long count, long n, double p) {
    double sd = Math.sqrt(n * p * (1 - p));
    assertThat((double) count)
        .as("count %d of %d at p=%s (bound ±4.5σ = ±%.1f)", count, n, p, 4.5 * sd)
        .isBetween(n * p - 4.5 * sd, n * p + 4.5 * sd);
  }

  static String pick(Splitter s, Map<String, String> headers) {
    return s.choose("/", h -> headers.get(h)).cluster();
  }

  @Test
  void weightedShareStaysWithinTheStatedBoundForManySeeds() {
    int n = 20_000;
    for (long seed = 1; seed <= 10; seed++) {
      Splitter s = split(w("v1", 90, "v2", 9.5, "v3", 0.5), seed);
      for (int i = 0; i < n; i++) {
        pick(s, NO_HEADERS);
      }
      Map<String, Long> c = s.counts();
      assertThat(c.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(n);
      withinBound(c.get("v2"), n, 0.095);
      withinBound(c.get("v3"), n, 0.005);
    }
  }

  @Test
  void theSameSeedReplaysTheSameSequenceAndAnotherSeedDoesNot() {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<String> other = new ArrayList<>();
    Splitter s1 = split(w("v1", 50, "v2", 50), 7);
    Splitter s2 = split(w("v1", 50, "v2", 50), 7);
    Splitter s3 = split(w("v1", 50, "v2", 50), 8);
    for (int i = 0; i < 200; i++) {
      a.add(pick(s1, NO_HEADERS));
      b.add(pick(s2, NO_HEADERS));
      other.add(pick(s3, NO_HEADERS));
    }
    assertThat(a).isEqualTo(b).isNotEqualTo(other);
  }

  @Test
  void zeroAndFullWeightsAreExact() {
    Splitter none = split(w("v1", 100, "v2", 0), 3);
    Splitter all = split(w("v1", 0, "v2", 100), 3);
    for (int i = 0; i < 5_000; i++) {
      assertThat(pick(none, NO_HEADERS)).isEqualTo("v1");
      assertThat(pick(all, NO_HEADERS)).isEqualTo("v2");
    }
  }

  @Test
  void aStickyUserAlwaysLandsOnTheSameSideAndUsersSpreadByTheWeights() {
    TrafficConfig.Sticky cookie = new TrafficConfig.Sticky(TrafficConfig.KeySource.COOKIE, "uid");
    Splitter s = sticky(w("v1", 80, "v2", 20), cookie, 99);
    Splitter again = sticky(w("v1", 80, "v2", 20), cookie, 99);
    int users = 20_000;
    long onV2 = 0;
    for (int u = 0; u < users; u++) {
      Map<String, String> h = Map.of("cookie", "theme=dark; uid=user-" + u + "; x=1");
      String first = pick(s, h);
      for (int k = 0; k < 3; k++) {
        assertThat(pick(s, h)).isEqualTo(first);
      }
      assertThat(pick(again, h)).as("another gateway instance agrees").isEqualTo(first);
      onV2 += first.equals("v2") ? 1 : 0;
    }
    withinBound(onV2, users, 0.20);
  }

  @Test
  void growingAStranglerShareOnlyMovesUsersFromLegacyToNew() {
    TrafficConfig.Sticky header =
        new TrafficConfig.Sticky(TrafficConfig.KeySource.HEADER, "X-User");
    Map<String, String> side = new HashMap<>();
    double[] shares = {0, 5, 25, 50, 75, 99.5, 100};
    int users = 5_000;
    for (double share : shares) {
      Splitter s = sticky(TrafficConfig.Split.strangle("legacy", "new", share), header, 5);
      long onNew = 0;
      for (int u = 0; u < users; u++) {
        String c = pick(s, Map.of("x-user", "u" + u));
        String before = side.put("u" + u, c);
        if ("new".equals(before)) {
          assertThat(c).as("user u%d moved back to legacy at share %s", u, share).isEqualTo("new");
        }
        onNew += c.equals("new") ? 1 : 0;
      }
      if (share == 0 || share == 100) {
        assertThat(onNew).isEqualTo(share == 0 ? 0 : users);
      } else {
        withinBound(onNew, users, share / 100);
      }
    }
  }

  @Test
  void rulesComeFirstThenSubPathsThenWeights() {
    TrafficConfig.Split config =
        new TrafficConfig.Split(
            w("v1", 100, "v2", 0),
            List.of(
                new TrafficConfig.Rule(
                    "beta", TrafficConfig.KeySource.HEADER, "X-Canary", "1", "v2"),
                new TrafficConfig.Rule(
                    "tester", TrafficConfig.KeySource.COOKIE, "tester", "yes", "v3")),
            null,
            1,
            Map.of("/shop/cart", w("v3", 100), "/shop/cart/special", w("v2", 100)));
    Splitter s = new Splitter("r", config, Decisions.noop());
    assertThat(s.choose("/shop", h -> null).cluster()).isEqualTo("v1");
    assertThat(s.choose("/shop", h -> h.equals("x-canary") ? "1" : null))
        .isEqualTo(new Splitter.Choice("v2", "rule beta"));
    assertThat(s.choose("/shop", h -> h.equals("x-canary") ? "0" : null).cluster()).isEqualTo("v1");
    assertThat(s.choose("/shop", h -> h.equals("cookie") ? "a=b; tester=\"yes\"" : null).cluster())
        .isEqualTo("v3");
    assertThat(s.choose("/shop", h -> h.equals("cookie") ? "xtester=yes" : null).cluster())
        .isEqualTo("v1");
    assertThat(s.choose("/shop/cart", h -> null).cluster()).isEqualTo("v3");
    assertThat(s.choose("/shop/cart/items", h -> null).cluster()).isEqualTo("v3");
    assertThat(s.choose("/shop/cartx", h -> null).cluster()).as("segment boundary").isEqualTo("v1");
    assertThat(s.choose("/shop/cart/special/x", h -> null).cluster())
        .as("longest sub-path wins")
        .isEqualTo("v2");
    assertThat(s.counts()).containsEntry("v1", 4L).containsEntry("v2", 2L).containsEntry("v3", 3L);
  }

  @Test
  void aRequestWithoutTheStickyKeyIsSplitByTheSequence() {
    TrafficConfig.Sticky cookie = new TrafficConfig.Sticky(TrafficConfig.KeySource.COOKIE, "uid");
    Splitter s = sticky(w("v1", 50, "v2", 50), cookie, 1);
    List<String> reasons = new ArrayList<>();
    long v2 = 0;
    for (int i = 0; i < 4_000; i++) {
      Splitter.Choice c = s.choose("/", h -> null);
      reasons.add(c.reason());
      v2 += c.cluster().equals("v2") ? 1 : 0;
    }
    assertThat(reasons).containsOnly("no-key");
    withinBound(v2, 4_000, 0.5);
  }

  @Test
  void cookieParsing() {
    assertThat(Splitter.cookie(null, "a")).isNull();
    assertThat(Splitter.cookie("a=1", "a")).isEqualTo("1");
    assertThat(Splitter.cookie("b=2;a=1", "a")).isEqualTo("1");
    assertThat(Splitter.cookie(" aa=3 ; a = 4 ", "a")).isEqualTo("4");
    assertThat(Splitter.cookie("a", "a")).isNull();
    assertThat(Splitter.cookie("=x; b=1", "")).isNull();
  }

  @Test
  void decisionsAreRecordedPerRouteAndBackend() {
    List<String> seen = new ArrayList<>();
    Decisions d =
        new Decisions() {
          @Override
          public void record(String component, String decision, String reason) {
            seen.add(component + " " + decision + " " + reason);
          }

          @Override
          public void circuitTransition(String b, String f, String t, String r) {}

          @Override
          public void retry(String p, int a, Duration b, @Nullable Throwable c) {}

          @Override
          public void shed(String c, String r) {}

          @Override
          public void faultInjected(String e, String f) {}
        };
    Splitter s = new Splitter("shop", TrafficConfig.Split.weighted(w("v1", 0, "v2", 100), 1), d);
    s.choose("/", h -> null);
    assertThat(seen).containsExactly("gateway-split-shop to-v2 weight");
  }
}
