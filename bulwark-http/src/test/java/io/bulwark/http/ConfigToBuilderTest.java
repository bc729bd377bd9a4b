package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.health.HealthCheckConfig;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.lb.Balancing;
import io.bulwark.http.lb.SlowStart;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.test.kit.ConfigCopies;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code toBuilder()} of every http config copies every field, also fields added later: each sample
 * differs from the defaults in every field (checked by reflection), so a field the copy drops comes
 * back as its default and the comparison fails.
 */
class ConfigToBuilderTest {
  private static final ConfigCopies COPIES = ConfigCopies.using(MethodHandles.lookup());

  @Test
  void serverConfig() {
    ServerConfig sample =
        ServerConfig.builder()
            .host("0.0.0.0")
            .port(8081)
            .maxBodySize(2048)
            .maxHeaderSize(4096)
            .maxInitialLineLength(1024)
            .drainBudget(Duration.ofSeconds(3))
            .maxDeadline(Duration.ofSeconds(30))
            .defaultDeadline(Duration.ofSeconds(2))
            .retryAfter(Duration.ofSeconds(4))
            .idleTimeout(Duration.ofSeconds(20))
            .requestHeadTimeout(Duration.ofSeconds(5))
            .maxConnections(50)
            .maxConnectionsPerAddress(5)
            .tls(Path.of("server.p12"), "secret")
            .clientCa(TestWorkloads.caPem())
            .tlsReloadInterval(Duration.ofSeconds(3))
            .authorization(TestWorkloads.anyWorkload())
            .service("inventory")
            .instance("inventory-1")
            .build();
    COPIES.copiesEveryField(sample, ServerConfig.builder().build(), sample.toBuilder().build());
    COPIES.changesOnly(sample, sample.toBuilder().maxConnections(51).build(), "maxConnections");
  }

  @Test
  void clientConfig() {
    ClientConfig sample =
        ClientConfig.builder("orders")
            .balancing(Balancing.LEAST_REQUEST)
            .timeout(Duration.ofSeconds(7))
            .connectTimeout(Duration.ofSeconds(3))
            .protocol(ClientConfig.Protocol.HTTP_2)
            .poolSize(8)
            .trustStore(Path.of("trust.p12"), "secret")
            .verifyHost(false)
            .keyStore(Path.of("client.p12"), "secret2")
            .serverIdentity(TestWorkloads.orders())
            .tlsReloadInterval(Duration.ofSeconds(3))
            .slowStart(new SlowStart(Duration.ofSeconds(30), 0.2))
            .zonePreference("eu-1a", 0.7)
            .outlier(OutlierConfig.builder().consecutiveFailures(3).build())
            .healthCheck(HealthCheckConfig.builder().path("/ready").build())
            .ewmaDecay(Duration.ofSeconds(4))
            .retry(RetryConfig.builder().maxAttempts(5).build())
            .circuitBreaker(CircuitBreakerConfig.builder().minimumCalls(7).build())
            .endpointCircuitBreaker(CircuitBreakerConfig.builder().minimumCalls(3).build())
            .pipeline("orders-pipeline")
            .build();
    COPIES.copiesEveryField(
        sample, ClientConfig.builder("catalog").build(), sample.toBuilder().build());
    COPIES.changesOnly(sample, sample.toBuilder().poolSize(9).build(), "poolSize");
    COPIES.changesOnly(sample, sample.toBuilder().service("catalog").build(), "service");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> sample.toBuilder().poolSize(0))
        .hasMessageContaining("poolSize")
        .hasMessageContaining("was 0");
  }

  @Test
  void outlierConfig() {
    OutlierConfig sample =
        OutlierConfig.builder()
            .consecutiveFailures(3)
            .failureRateThreshold(0.7)
            .minimumRequests(9)
            .interval(Duration.ofSeconds(3))
            .baseEjection(Duration.ofSeconds(4))
            .maxEjection(Duration.ofSeconds(40))
            .maxEjectedShare(0.25)
            .build();
    COPIES.copiesEveryField(sample, OutlierConfig.defaults(), sample.toBuilder().build());
    assertThat(sample.toBuilder().build()).isEqualTo(sample);
    COPIES.changesOnly(sample, sample.toBuilder().minimumRequests(10).build(), "minimumRequests");
  }

  @Test
  void healthCheckConfig() {
    HealthCheckConfig sample =
        HealthCheckConfig.builder()
            .path("/ready")
            .interval(Duration.ofSeconds(2))
            .timeout(Duration.ofMillis(300))
            .healthyThreshold(4)
            .unhealthyThreshold(5)
            .build();
    COPIES.copiesEveryField(sample, HealthCheckConfig.defaults(), sample.toBuilder().build());
    assertThat(sample.toBuilder().build()).isEqualTo(sample);
    COPIES.changesOnly(
        sample, sample.toBuilder().timeout(Duration.ofSeconds(1)).build(), "timeout");
    assertThat(HealthCheckConfig.builder().build()).isEqualTo(HealthCheckConfig.defaults());
  }

  @Test
  void healthCheckBuilderNamesTheBadValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HealthCheckConfig.builder().healthyThreshold(0))
        .hasMessage("healthyThreshold must be positive, was 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HealthCheckConfig.builder().path("ready"))
        .hasMessageContaining("\"ready\"");
  }
}
