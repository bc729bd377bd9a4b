package io.bulwark.http.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.kit.TimeDriver;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * DNS discovery against a fake resolver (the kit's services map to host names {@code
 * <service>.test}); changes become visible after the refresh interval of virtual time.
 */
class DnsDiscoveryTest extends ServiceDiscoveryCompatibilityKit {
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final Map<String, List<String>> zone = new ConcurrentHashMap<>();
  private volatile boolean dnsDown;

  @Override
  public ServiceDiscovery newSubject() {
    DnsDiscovery.Builder b =
        DnsDiscovery.builder(scheduler)
            .refreshInterval(Duration.ofSeconds(30))
            .resolver(
                host -> {
                  if (dnsDown) {
                    throw new UnknownHostException(host);
                  }
                  return zone.getOrDefault(host, List.of());
                });
    for (String service : List.of("orders", "payments")) {
      b.service(service, service + ".test", 8080);
    }
    return b.build();
  }

  @Override
  public TimeDriver time() {
    return TimeDriver.virtual(scheduler, Duration.ofSeconds(1));
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) {
    zone.put(service + ".test", endpoints.stream().map(Endpoint::host).toList());
    scheduler.advance(Duration.ofSeconds(30));
  }

  @Test
  void changesAppearOnlyAfterTheRefreshInterval() {
    zone.put("orders.test", List.of("10.0.0.1"));
    scheduler.advance(Duration.ofSeconds(29));
    assertThat(discovery.endpoints("orders")).isEmpty();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(discovery.endpoints("orders")).containsExactly(A);
  }

  @Test
  void aFailedLookupKeepsTheLastKnownEndpoints() {
    publish("orders", List.of(A, B));
    dnsDown = true;
    scheduler.advance(Duration.ofSeconds(60));
    assertThat(discovery.endpoints("orders")).containsExactlyInAnyOrder(A, B);
  }

  @Test
  void resolvesLocalhostWithTheSystemResolver() throws Exception {
    List<String> addresses = DnsDiscovery.Resolver.system().resolve("localhost");
    assertThat(addresses).isNotEmpty();
  }
}
