package io.bulwark.http.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.kit.TimeDriver;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedRegistryTest extends ServiceDiscoveryCompatibilityKit {
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final Map<String, EmbeddedRegistry.Registration> live = new HashMap<>();

  @Override
  public ServiceDiscovery newSubject() {
    return EmbeddedRegistry.create(scheduler);
  }

  @Override
  public TimeDriver time() {
    return TimeDriver.virtual(scheduler, Duration.ofSeconds(1));
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) {
    EmbeddedRegistry registry = (EmbeddedRegistry) discovery;
    live.entrySet()
        .removeIf(
            e -> {
              boolean gone =
                  e.getKey().startsWith(service + "/")
                      && !endpoints.contains(e.getValue().endpoint());
              if (gone) {
                e.getValue().close();
              }
              return gone;
            });
    for (Endpoint e : endpoints) {
      live.computeIfAbsent(service + "/" + e.id(), k -> registry.register(service, e));
    }
  }

  @Test
  void leaseExpiresUnlessRenewed() {
    EmbeddedRegistry registry = (EmbeddedRegistry) discovery;
    EmbeddedRegistry.Registration a = registry.register("orders", A, Duration.ofSeconds(10));
    registry.register("orders", B, Duration.ofSeconds(10));
    scheduler.advance(Duration.ofSeconds(8));
    a.renew();
    scheduler.advance(Duration.ofSeconds(8));
    assertThat(discovery.endpoints("orders")).containsExactly(A);
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(discovery.endpoints("orders")).isEmpty();
  }

  @Test
  void deregisterRemovesTheInstance() {
    EmbeddedRegistry registry = (EmbeddedRegistry) discovery;
    EmbeddedRegistry.Registration a = registry.register("orders", A);
    registry.register("orders", B);
    a.close();
    assertThat(discovery.endpoints("orders")).containsExactly(B);
  }
}
