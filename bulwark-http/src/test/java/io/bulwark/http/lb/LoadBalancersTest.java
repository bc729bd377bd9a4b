package io.bulwark.http.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoadBalancersTest {
  private final VirtualClock clock = new VirtualClock();
  private final long decay = Duration.ofSeconds(10).toNanos();

  private List<EndpointState> endpoints(int n) {
    List<EndpointState> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new EndpointState(Endpoint.of("10.0.0." + i, 8080), clock, decay));
    }
    return out;
  }

  private static Map<String, Integer> picks(LoadBalancer lb, List<EndpointState> eps, int n) {
    Map<String, Integer> count = new HashMap<>();
    for (int i = 0; i < n; i++) {
      count.merge(lb.pick(eps, null).id(), 1, Integer::sum);
    }
    return count;
  }

  @Test
  void emptyCandidatesPickNothing() {
    for (Balancing b : Balancing.values()) {
      assertThat(LoadBalancers.of(b, SlowStart.NONE, clock).pick(List.of(), "k")).isNull();
    }
  }

  @Test
  void roundRobinTakesEachInTurn() {
    List<EndpointState> eps = endpoints(3);
    LoadBalancer rr = LoadBalancers.roundRobin(SlowStart.NONE, clock);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seen.add(rr.pick(eps, null).id());
    }
    assertThat(seen.subList(0, 3)).containsExactlyInAnyOrderElementsOf(seen.subList(3, 6));
    assertThat(seen.subList(0, 3)).doesNotHaveDuplicates();
  }

  @Test
  void leastRequestAvoidsTheBusyEndpoint() {
    List<EndpointState> eps = endpoints(2);
    for (int i = 0; i < 5; i++) {
      eps.get(0).onStart();
    }
    LoadBalancer p2c =
        LoadBalancers.p2c(false, SlowStart.NONE, clock, () -> new SplittableRandom(1));
    assertThat(picks(p2c, eps, 100)).containsEntry(eps.get(1).id(), 100);
  }

  @Test
  void peakEwmaAvoidsTheSlowEndpointAndForgivesItOverTime() {
    List<EndpointState> eps = endpoints(2);
    eps.get(0).onStart();
    eps.get(0).onComplete(Duration.ofMillis(50).toNanos());
    eps.get(1).onStart();
    eps.get(1).onComplete(Duration.ofMillis(2).toNanos());
    LoadBalancer ewma =
        LoadBalancers.p2c(true, SlowStart.NONE, clock, () -> new SplittableRandom(7));
    assertThat(picks(ewma, eps, 50)).containsEntry(eps.get(1).id(), 50);

    // a peak is taken at once; then fast samples decay it with time constant τ
    assertThat(eps.get(0).ewmaNanos()).isEqualTo((double) Duration.ofMillis(50).toNanos());
    clock.advance(Duration.ofSeconds(30));
    eps.get(0).observe(Duration.ofMillis(1).toNanos());
    assertThat(eps.get(0).ewmaNanos()).isLessThan((double) Duration.ofMillis(4).toNanos());
  }

  @Test
  void slowStartRampsANewEndpointUp() {
    SlowStart ramp = new SlowStart(Duration.ofSeconds(10), 0.1);
    List<EndpointState> old = endpoints(1);
    clock.advance(Duration.ofMinutes(1));
    EndpointState fresh = new EndpointState(Endpoint.of("10.0.1.1", 8080), clock, decay);
    List<EndpointState> eps = List.of(old.get(0), fresh);
    assertThat(ramp.weight(fresh, clock)).isEqualTo(0.1);
    assertThat(ramp.weight(old.get(0), clock)).isEqualTo(1.0);

    LoadBalancer lr = LoadBalancers.p2c(false, ramp, clock, () -> new SplittableRandom(3));
    fresh.onStart(); // one request in flight on each endpoint: the new one looks 10x busier
    old.get(0).onStart();
    assertThat(picks(lr, eps, 40)).containsEntry(old.get(0).id(), 40);

    clock.advance(Duration.ofSeconds(5));
    assertThat(ramp.weight(fresh, clock))
        .isCloseTo(0.55, org.assertj.core.data.Offset.offset(1e-9));
    clock.advance(Duration.ofSeconds(5));
    assertThat(ramp.weight(fresh, clock)).isEqualTo(1.0);
  }

  @Test
  void roundRobinWithSlowStartSendsLessToTheNewEndpoint() {
    SlowStart ramp = new SlowStart(Duration.ofSeconds(10), 0.1);
    List<EndpointState> old = endpoints(1);
    clock.advance(Duration.ofMinutes(1));
    EndpointState fresh = new EndpointState(Endpoint.of("10.0.1.1", 8080), clock, decay);
    LoadBalancer rr = LoadBalancers.roundRobin(ramp, clock);
    Map<String, Integer> count = picks(rr, List.of(old.get(0), fresh), 2000);
    assertThat(count.getOrDefault(fresh.id(), 0)).isLessThan(400);
  }

  @Test
  void zonePreferenceKeepsTrafficLocalUntilTheZoneIsUnhealthy() {
    List<EndpointState> eps = new ArrayList<>();
    for (String zone : List.of("a", "a", "b", "b")) {
      eps.add(
          new EndpointState(
              Endpoint.of("10.0." + zone.charAt(0) + "." + eps.size(), 80).withZone(zone),
              clock,
              decay));
    }
    ZonePreference local = ZonePreference.localZone("a", 0.5);
    assertThat(local.select(eps, eps)).containsExactly(eps.get(0), eps.get(1));
    List<EndpointState> oneLocalLeft = List.of(eps.get(1), eps.get(2), eps.get(3));
    assertThat(local.select(oneLocalLeft, eps)).containsExactly(eps.get(1));
    List<EndpointState> noLocal = List.of(eps.get(2), eps.get(3));
    assertThat(local.select(noLocal, eps)).containsExactlyElementsOf(noLocal);
    assertThat(ZonePreference.localZone("a", 1.0).select(oneLocalLeft, eps))
        .containsExactlyElementsOf(oneLocalLeft);
  }

  @Test
  void badSettingsAreRejectedNamingTheValue() {
    assertThatThrownBy(() -> LoadBalancers.maglev(1000))
        .hasMessageContaining("prime")
        .hasMessageContaining("1000");
    assertThatThrownBy(() -> LoadBalancers.ringHash(0)).hasMessageContaining("was 0");
    assertThatThrownBy(() -> new SlowStart(Duration.ofSeconds(1), 0))
        .hasMessageContaining("minWeight");
    assertThatThrownBy(() -> ZonePreference.localZone("a", 1.5)).hasMessageContaining("1.5");
  }
}
