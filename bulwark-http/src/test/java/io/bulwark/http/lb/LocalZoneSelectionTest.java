package io.bulwark.http.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.test.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The local-zone preference keeps its last answer: asked again with the same elements it returns
 * it, and any change of the lists' elements (even in a list mutated in place) gives a fresh answer.
 */
class LocalZoneSelectionTest {
  private final VirtualClock clock = new VirtualClock();

  private List<EndpointState> endpoints(String... zones) {
    List<EndpointState> eps = new ArrayList<>();
    for (String zone : zones) {
      eps.add(
          new EndpointState(
              Endpoint.of("10.1.0." + eps.size(), 80).withZone(zone), clock, 1_000_000_000L));
    }
    return eps;
  }

  @Test
  void theSameListsGetTheSameAnswerWithoutRecomputing() {
    List<EndpointState> all = List.copyOf(endpoints("a", "b", "a", "b"));
    ZonePreference local = ZonePreference.localZone("a", 0.5);
    List<EndpointState> first = local.select(all, all);
    assertThat(first).containsExactly(all.get(0), all.get(2));
    assertThat(local.select(all, all)).isSameAs(first);
    assertThat(local.select(new ArrayList<>(all), new ArrayList<>(all))).isSameAs(first);
  }

  @Test
  void aListMutatedInPlaceIsNotAnsweredFromTheOldChoice() {
    List<EndpointState> all = endpoints("a", "a", "b", "b");
    List<EndpointState> usable = new ArrayList<>(all);
    ZonePreference local = ZonePreference.localZone("a", 1.0);
    assertThat(local.select(usable, all)).containsExactly(all.get(0), all.get(1));
    usable.remove(0); // one local endpoint lost: below the share, spill over
    assertThat(local.select(usable, all)).containsExactlyElementsOf(usable);
    usable.add(0, all.get(0));
    assertThat(local.select(usable, all)).containsExactly(all.get(0), all.get(1));
  }

  @Test
  void agreesWithTheRuleOnRandomSubsets() {
    Random random = new Random(42);
    List<EndpointState> all = endpoints("a", "b", "c", "a", "a", "b", "a", "c");
    ZonePreference local = ZonePreference.localZone("a", 0.5);
    for (int round = 0; round < 2_000; round++) {
      List<EndpointState> usable = new ArrayList<>();
      for (EndpointState e : all) {
        if (random.nextInt(3) > 0) {
          usable.add(e);
        }
      }
      if (usable.isEmpty()) {
        continue;
      }
      List<EndpointState> inZone =
          usable.stream().filter(e -> "a".equals(e.endpoint().zone())).toList();
      List<EndpointState> expected = inZone.size() >= 0.5 * 4 ? inZone : usable;
      assertThat(local.select(usable, all)).containsExactlyElementsOf(expected);
    }
  }
}
