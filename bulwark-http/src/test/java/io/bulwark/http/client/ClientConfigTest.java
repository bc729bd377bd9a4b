package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.lb.Balancing;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.PipelineSpec;
import io.bulwark.resilience.RegistryConfig;
import io.bulwark.resilience.RetryConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientConfigTest {
  private final ConfigLoader loader = ConfigLoader.withEnv(Map.of());

  @Test
  void bindsNamedClientsFromYaml() {
    String yaml =
        """
        clients:
          orders:
            balancer: maglev
            timeout: 750ms
            protocol: http-2
            slow-start: {window: 30s, min-weight: 0.2}
            zone: {local: eu-1a, min-healthy-share: 0.6}
            outlier: {consecutive-failures: 7, base-ejection: 10s}
            health-check: {path: /health/ready, interval: 2s}
            retry: {max-attempts: 4, initial-delay: 10ms}
            circuit-breaker: {minimum-calls: 30, failure-rate-threshold: 40}
          payments:
            service: payments-v2
            pipeline: strict
        """;
    Map<String, ClientConfig> clients = loader.parse(yaml, "clients.yaml", HttpClients::bindAll);
    ClientConfig orders = clients.get("orders");
    assertThat(orders.service()).isEqualTo("orders");
    assertThat(orders.balancing()).isEqualTo(Balancing.MAGLEV);
    assertThat(orders.timeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(orders.protocol()).isEqualTo(ClientConfig.Protocol.HTTP_2);
    assertThat(orders.slowStart().minWeight()).isEqualTo(0.2);
    assertThat(orders.localZone()).isEqualTo("eu-1a");
    assertThat(orders.outlier().consecutiveFailures()).isEqualTo(7);
    assertThat(orders.healthCheck().interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(orders.retry().maxAttempts()).isEqualTo(4);
    assertThat(orders.circuitBreaker().minimumCalls()).isEqualTo(30);
    assertThat(clients.get("payments").service()).isEqualTo("payments-v2");
    assertThat(clients.get("payments").pipeline()).isEqualTo("strict");
    assertThat(clients.get("payments").balancing()).isEqualTo(Balancing.PEAK_EWMA);
  }

  @Test
  void badValuesAreReportedWithFileLineAndField() {
    String yaml =
        """
        clients:
          orders:
            balancer: fastest
            timeout: -1s
            pool-size: 0
            outlier: {max-ejected-share: 2}
            colour: blue
        """;
    assertThatThrownBy(() -> loader.parse(yaml, "clients.yaml", HttpClients::bindAll))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("clients.yaml:3")
        .hasMessageContaining("clients.orders.balancer")
        .hasMessageContaining("\"fastest\"")
        .hasMessageContaining("clients.orders.timeout")
        .hasMessageContaining("poolSize must be 1..10000, was 0")
        .hasMessageContaining("maxEjectedShare must be in [0, 1], was 2.0")
        .hasMessageContaining("clients.orders.colour: unknown key");
  }

  @Test
  void endpointCircuitBreakerBindsWithTheKeysOfCircuitBreaker() {
    String yaml =
        """
        clients:
          payments:
            circuit-breaker: {window-size: 50}
            endpoint-circuit-breaker:
              window-size: 10
              minimum-calls: 5
              failure-rate-threshold: 40
              wait-in-open: 2s
          orders: {}
        """;
    Map<String, ClientConfig> clients = loader.parse(yaml, "clients.yaml", HttpClients::bindAll);
    CircuitBreakerConfig perEndpoint = clients.get("payments").endpointCircuitBreaker();
    assertThat(perEndpoint).isNotNull();
    assertThat(perEndpoint.windowSize()).isEqualTo(10);
    assertThat(perEndpoint.minimumCalls()).isEqualTo(5);
    assertThat(perEndpoint.failureRateThreshold()).isEqualTo(40.0);
    assertThat(perEndpoint.waitInOpen()).isEqualTo(Duration.ofSeconds(2));
    assertThat(clients.get("payments").circuitBreaker().windowSize()).isEqualTo(50);
    assertThat(clients.get("orders").endpointCircuitBreaker()).isNull();
  }

  @Test
  void badEndpointCircuitBreakerValuesNameFileLineAndKey() {
    String yaml =
        """
        clients:
          payments:
            timeout: 1s
            endpoint-circuit-breaker:
              window-size: 0
              failure-rate-threshold: 150
              wait-in-open: soon
              colour: red
        """;
    assertThatThrownBy(() -> loader.parse(yaml, "clients.yaml", HttpClients::bindAll))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("clients.yaml:6")
        .hasMessageContaining("clients.payments.endpoint-circuit-breaker.window-size")
        .hasMessageContaining("clients.yaml:8")
        .hasMessageContaining("clients.payments.endpoint-circuit-breaker.wait-in-open")
        .hasMessageContaining("\"soon\"")
        .hasMessageContaining("clients.payments.endpoint-circuit-breaker.colour: unknown key");
  }

  private static final String RETRY =
      "{max-attempts: 5, initial-delay: 40ms, multiplier: 3, max-delay: 2s, jitter: decorrelated,"
          + " min-attempt-time: 5ms, ignore-exceptions: [java.lang.IllegalStateException]}";
  private static final String BREAKER =
      "{window: time, window-size: 30, minimum-calls: 7, failure-rate-threshold: 35,"
          + " slow-call-rate-threshold: 80, slow-call-duration: 2s, wait-in-open: 4s,"
          + " half-open-permits: 2, max-wait-in-half-open: 9s,"
          + " ignore-exceptions: [java.lang.IllegalArgumentException]}";

  /** The pipeline {@code p} of a resilience registry whose YAML is {@code pipelineYaml}. */
  private PipelineSpec registryPipeline(String pipelineYaml) {
    return RegistryConfig.parse(
            "pipelines:\n  p: " + pipelineYaml + "\n", "resilience.yaml", loader)
        .pipelines()
        .get("p");
  }

  private ClientConfig client(String clientYaml) {
    return loader
        .parse("clients:\n  c: " + clientYaml + "\n", "clients.yaml", HttpClients::bindAll)
        .get("c");
  }

  @Test
  void retryAndBreakerKeysWorkAsInAResilienceRegistryPipeline() {
    PipelineSpec registry =
        registryPipeline("{retry: " + RETRY + ", circuit-breaker: " + BREAKER + "}");
    ClientConfig c =
        client(
            "{retry: "
                + RETRY
                + ", circuit-breaker: "
                + BREAKER
                + ", endpoint-circuit-breaker: "
                + BREAKER
                + "}");

    assertThat(c.retry()).isEqualTo(registry.retry());
    assertThat(c.circuitBreaker()).isEqualTo(registry.circuitBreaker());
    assertThat(c.endpointCircuitBreaker()).isEqualTo(registry.circuitBreaker());
    // every key above took effect (none fell back to a default)
    assertThat(c.retry().jitter()).isEqualTo(RetryConfig.Jitter.DECORRELATED);
    assertThat(c.retry().minAttemptTime()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.retry().ignorePredicate().test(new IllegalStateException())).isTrue();
    assertThat(c.circuitBreaker().windowType())
        .isEqualTo(CircuitBreakerConfig.WindowType.TIME_BASED);
    assertThat(c.circuitBreaker().halfOpenPermits()).isEqualTo(2);
    assertThat(c.circuitBreaker().maxWaitInHalfOpen()).isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void withoutRetryOrBreakerKeysTheDefaultsAreResiliences() {
    PipelineSpec registry = registryPipeline("{retry: {}, circuit-breaker: {}}");
    ClientConfig bound = client("{}");
    ClientConfig built = ClientConfig.builder("c").build();
    ClientConfig emptySections = client("{retry: {}, circuit-breaker: {}}");

    for (ClientConfig c : new ClientConfig[] {bound, built, emptySections}) {
      assertThat(c.retry()).isEqualTo(registry.retry()).isEqualTo(RetryConfig.builder().build());
      assertThat(c.circuitBreaker())
          .isEqualTo(registry.circuitBreaker())
          .isEqualTo(CircuitBreakerConfig.ofDefaults());
      assertThat(c.endpointCircuitBreaker()).isNull();
    }
  }

  @Test
  void aBadRetryOrBreakerValueIsRefusedWithTheRegistrysWordsAndTheClientsPlace() {
    String bad = "{retry: {max-attempts: 0}, circuit-breaker: {failure-rate-threshold: 120}}";
    String registryMessage = failure(() -> registryPipeline(bad));
    String clientMessage = failure(() -> client(bad));

    assertThat(clientMessage)
        .contains("clients.yaml:2")
        .contains("clients.c.retry.max-attempts")
        .contains("clients.c.circuit-breaker.failure-rate-threshold");
    for (String words : new String[] {"maxAttempts", "failureRateThreshold"}) {
      String registryLine = lineWith(registryMessage, words);
      assertThat(clientMessage).contains(registryLine.substring(registryLine.indexOf(words)));
    }
  }

  @Test
  void aCamelCaseRetryKeyIsRefusedNamingTheKebabCaseKey() {
    assertThatThrownBy(() -> client("{retry: {maxAttempts: 2}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("clients.yaml:2")
        .hasMessageContaining("max-attempts");
  }

  @Test
  void aRetryBudgetBelongsToARegistryNotToAClient() {
    assertThatThrownBy(() -> client("{retry: {budget: shared}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("clients.c.retry.budget: unknown key");
  }

  private static String failure(Runnable binding) {
    try {
      binding.run();
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("binding did not fail");
  }

  private static String lineWith(String message, String words) {
    return message
        .lines()
        .filter(l -> l.contains(words))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line with " + words + " in " + message));
  }

  @Test
  void unregisteredPipelineIsNamed() {
    try (Loopback net = new Loopback()) {
      assertThatThrownBy(
              () ->
                  net.clients(
                      b -> b.client("p", ClientConfig.builder("p").pipeline("strict").build())))
          .hasMessageContaining("pipeline \"strict\"");
    }
  }

  @Test
  void serverConfigBindsAndValidates() {
    ServerConfig c =
        loader.parse(
            "port: 8080\nmax-body-size: 2048\ndrain-budget: 3s\ndefault-deadline: 2s\n",
            "server.yaml",
            ServerConfig::bind);
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.maxBodySize()).isEqualTo(2048);
    assertThat(c.drainBudget()).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> loader.parse("port: 70000\n", "server.yaml", ServerConfig::bind))
        .hasMessageContaining("server.yaml:1")
        .hasMessageContaining("port must be in [0, 65535], was 70000");
    assertThatThrownBy(
            () ->
                ServerConfig.builder()
                    .maxDeadline(Duration.ofSeconds(1))
                    .defaultDeadline(Duration.ofSeconds(5))
                    .build())
        .hasMessageContaining("defaultDeadline PT5S is longer than maxDeadline PT1S");
  }

  @Test
  void oldCamelCaseSpellingsAreRejectedNamingTheKebabCaseKey() {
    assertThatThrownBy(
            () ->
                loader.parse("port: 8080\nmaxBodySize: 2048\n", "server.yaml", ServerConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "server.yaml:2: maxBodySize: keys are kebab-case: write \"max-body-size\"");
    String yaml =
        """
        clients:
          payments:
            connectTimeout: 1s
            outlier: {consecutiveFailures: 3}
        """;
    assertThatThrownBy(() -> loader.parse(yaml, "clients.yaml", HttpClients::bindAll))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "clients.yaml:3: clients.payments.connectTimeout: keys are kebab-case: write"
                + " \"connect-timeout\"")
        .hasMessageContaining(
            "clients.yaml:4: clients.payments.outlier.consecutiveFailures: keys are kebab-case:"
                + " write \"consecutive-failures\"");
  }
}
