package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.resilience.PolicyRejectedException;
import io.bulwark.resilience.RegistryConfig;
import io.bulwark.resilience.ResilienceRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client whose config names a pipeline of a bulwark-resilience registry loaded from YAML: its
 * calls go through that pipeline, here a circuit breaker that opens after four failures and then
 * stops calls before they reach the network.
 */
class ResiliencePipelineTest {
  private final Loopback net = new Loopback();

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  void namedRegistryPipelineWrapsEveryCall() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    BulwarkServer broken =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      hits.incrementAndGet();
                      throw HttpProblem.of(500, "broken", "always failing");
                    }));
    net.publish("payments", broken);
    RegistryConfig config =
        ConfigLoader.withEnv(Map.of())
            .parse(
                """
                pipelines:
                  strict:
                    circuit-breaker: {window-size: 4, minimum-calls: 4, failure-rate-threshold: 50, wait-in-open: 1m}
                """,
                "resilience.yaml",
                RegistryConfig::bind);
    ResilienceRegistry registry = ResilienceRegistry.of(config, net.scheduler);
    Map<String, ClientConfig> clients =
        ConfigLoader.withEnv(Map.of())
            .parse(
                "clients:\n  payments:\n    pipeline: strict\n",
                "clients.yaml",
                HttpClients::bindAll);
    ServiceClient client =
        net.clients(b -> b.clients(clients).pipelines(registry)).client("payments");

    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> client.get("/x")).isInstanceOf(HttpCallException.class);
    }
    assertThatThrownBy(() -> client.get("/x"))
        .isInstanceOf(PolicyRejectedException.class)
        .hasMessageContaining("circuit breaker 'strict.circuitBreaker' is open");
    assertThat(hits).hasValue(4);
  }
}
