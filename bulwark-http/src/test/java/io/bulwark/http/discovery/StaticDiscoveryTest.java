package io.bulwark.http.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.kit.TimeDriver;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StaticDiscoveryTest extends ServiceDiscoveryCompatibilityKit {
  @Override
  public ServiceDiscovery newSubject() {
    return StaticDiscovery.create();
  }

  @Override
  public TimeDriver time() {
    return TimeDriver.virtual(
        new io.bulwark.test.VirtualScheduler(), java.time.Duration.ofSeconds(1));
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) {
    ((StaticDiscovery) discovery).update(service, endpoints);
  }

  @Test
  void parsesHostPortListsAndNamesTheBadOne() {
    StaticDiscovery d = StaticDiscovery.parse(Map.of("orders", List.of("127.0.0.1:8080")));
    assertThat(d.endpoints("orders")).containsExactly(Endpoint.of("127.0.0.1", 8080));
    assertThatThrownBy(() -> StaticDiscovery.parse(Map.of("orders", List.of("127.0.0.1"))))
        .hasMessageContaining("service orders")
        .hasMessageContaining("\"127.0.0.1\"");
    assertThatThrownBy(() -> Endpoint.of("h", 70000)).hasMessageContaining("70000");
  }
}
