package io.bulwark.http.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.test.VirtualClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ring hash and Maglev: stable, balanced, and minimally disrupted when an endpoint leaves. */
class ConsistentHashingTest {
  private static final int KEYS = 50_000;
  private final VirtualClock clock = new VirtualClock();

  private List<EndpointState> endpoints(int n) {
    List<EndpointState> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new EndpointState(Endpoint.of("10.1.0." + i, 9000), clock, 1_000_000_000L));
    }
    return out;
  }

  private static LoadBalancer balancer(String kind) {
    return kind.equals("ring") ? LoadBalancers.ringHash(160) : LoadBalancers.maglev(65537);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "maglev"})
  void sameKeySameEndpointAcrossInstances(String kind) {
    List<EndpointState> eps = endpoints(8);
    LoadBalancer a = balancer(kind);
    LoadBalancer b = balancer(kind);
    for (int k = 0; k < 1000; k++) {
      String key = "sku-" + k;
      assertThat(a.pick(eps, key).id()).isEqualTo(b.pick(eps, key).id());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "maglev"})
  void keysSpreadEvenly(String kind) {
    List<EndpointState> eps = endpoints(10);
    LoadBalancer lb = balancer(kind);
    Map<String, Integer> count = new HashMap<>();
    for (int k = 0; k < KEYS; k++) {
      count.merge(lb.pick(eps, "user-" + k).id(), 1, Integer::sum);
    }
    double expected = KEYS / 10.0;
    double tolerance = kind.equals("ring") ? 0.25 : 0.1;
    assertThat(count).hasSize(10);
    count
        .values()
        .forEach(
            c ->
                assertThat((double) c)
                    .isBetween(expected * (1 - tolerance), expected * (1 + tolerance)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "maglev"})
  void removingOneEndpointMovesFewKeysBesidesItsOwn(String kind) {
    List<EndpointState> eps = endpoints(10);
    LoadBalancer lb = balancer(kind);
    Map<String, String> before = new HashMap<>();
    for (int k = 0; k < KEYS; k++) {
      before.put("k" + k, lb.pick(eps, "k" + k).id());
    }
    EndpointState gone = eps.get(3);
    List<EndpointState> fewer = new ArrayList<>(eps);
    fewer.remove(gone);
    int movedOthers = 0;
    for (int k = 0; k < KEYS; k++) {
      String now = lb.pick(fewer, "k" + k).id();
      String was = before.get("k" + k);
      assertThat(now).isNotEqualTo(gone.id());
      if (!was.equals(gone.id()) && !was.equals(now)) {
        movedOthers++;
      }
    }
    // the ring moves none of the others; Maglev a small fraction
    assertThat((double) movedOthers / KEYS).isLessThan(kind.equals("ring") ? 0.0001 : 0.03);
  }
}
