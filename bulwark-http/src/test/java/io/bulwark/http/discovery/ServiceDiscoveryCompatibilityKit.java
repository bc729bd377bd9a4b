package io.bulwark.http.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.kit.CompatibilityKit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ServiceDiscovery} contract, stated once; every implementation extends this kit and
 * only says how to create one and how to make its endpoints of a service change.
 */
abstract class ServiceDiscoveryCompatibilityKit implements CompatibilityKit<ServiceDiscovery> {
  protected ServiceDiscovery discovery;

  /** Makes {@code service}'s endpoints become exactly {@code endpoints}, as the backend would. */
  protected abstract void publish(String service, List<Endpoint> endpoints) throws Exception;

  @BeforeEach
  void create() throws Exception {
    discovery = newSubject();
  }

  @AfterEach
  void close() {
    discovery.close();
  }

  static final Endpoint A = Endpoint.of("10.0.0.1", 8080);
  static final Endpoint B = Endpoint.of("10.0.0.2", 8080);

  @Test
  void unknownServiceHasNoEndpoints() {
    assertThat(discovery.endpoints("nobody")).isEmpty();
  }

  @Test
  void publishedEndpointsAreVisible() throws Exception {
    publish("orders", List.of(A, B));
    assertThat(discovery.endpoints("orders")).containsExactlyInAnyOrder(A, B);
    assertThat(discovery.endpoints("payments")).isEmpty();
  }

  @Test
  void subscriberGetsTheCurrentListThenEveryChange() throws Exception {
    publish("orders", List.of(A));
    List<List<Endpoint>> seen = new CopyOnWriteArrayList<>();
    ServiceDiscovery.Subscription sub = discovery.subscribe("orders", seen::add);
    publish("orders", List.of(A, B));
    publish("orders", List.of(B));
    publish("orders", List.of());
    assertThat(seen).hasSize(4);
    assertThat(seen.get(0)).containsExactly(A);
    assertThat(seen.get(1)).containsExactlyInAnyOrder(A, B);
    assertThat(seen.get(2)).containsExactly(B);
    assertThat(seen.get(3)).isEmpty();
    sub.close();
  }

  @Test
  void unchangedListNotifiesNobody() throws Exception {
    publish("orders", List.of(A));
    List<List<Endpoint>> seen = new CopyOnWriteArrayList<>();
    discovery.subscribe("orders", seen::add);
    publish("orders", List.of(A));
    assertThat(seen).hasSize(1);
  }

  @Test
  void closedSubscriptionHearsNothingMore() throws Exception {
    List<List<Endpoint>> seen = new CopyOnWriteArrayList<>();
    ServiceDiscovery.Subscription sub = discovery.subscribe("orders", seen::add);
    sub.close();
    publish("orders", List.of(A));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).isEmpty();
  }

  @Test
  void aThrowingListenerDoesNotStopTheOthers() throws Exception {
    List<List<Endpoint>> seen = new CopyOnWriteArrayList<>();
    discovery.subscribe(
        "orders",
        list -> {
          throw new IllegalStateException("bad listener");
        });
    discovery.subscribe("orders", seen::add);
    publish("orders", List.of(A));
    assertThat(seen).hasSize(2);
    assertThat(discovery.endpoints("orders")).containsExactly(A);
  }
}
