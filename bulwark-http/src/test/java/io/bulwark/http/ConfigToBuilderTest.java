package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.health.HealthCheckConfig;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.lb.Balancing;
import io.bulwark.http.lb.SlowStart;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.RetryConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@code toBuilder()} of every http config copies every field, also fields added later: each sample
 * differs from the defaults in every field (checked by reflection), so a field the copy drops comes
 * back as its default and the comparison fails.
 */
class ConfigToBuilderTest {

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
            .build();
    copiesEveryField(sample, ServerConfig.builder().build(), sample.toBuilder().build());
    changesOnly(sample, sample.toBuilder().maxConnections(51).build(), "maxConnections");
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
    copiesEveryField(sample, ClientConfig.builder("catalog").build(), sample.toBuilder().build());
    changesOnly(sample, sample.toBuilder().poolSize(9).build(), "poolSize");
    changesOnly(sample, sample.toBuilder().service("catalog").build(), "service");
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
    copiesEveryField(sample, OutlierConfig.defaults(), sample.toBuilder().build());
    assertThat(sample.toBuilder().build()).isEqualTo(sample);
    changesOnly(sample, sample.toBuilder().minimumRequests(10).build(), "minimumRequests");
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
    copiesEveryField(sample, HealthCheckConfig.defaults(), sample.toBuilder().build());
    assertThat(sample.toBuilder().build()).isEqualTo(sample);
    changesOnly(sample, sample.toBuilder().timeout(Duration.ofSeconds(1)).build(), "timeout");
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

  private static void copiesEveryField(Object sample, Object defaults, Object copy) {
    assertThat(equalFields(sample, defaults))
        .as("fields of the sample that equal the default (make them differ)")
        .isEmpty();
    assertThat(equalFields(sample, copy)).containsExactlyElementsOf(fieldNames(sample));
  }

  private static void changesOnly(Object sample, Object changed, String field) {
    List<String> expected = new ArrayList<>(fieldNames(sample));
    assertThat(expected).contains(field);
    expected.remove(field);
    assertThat(equalFields(sample, changed)).containsExactlyElementsOf(expected);
  }

  private static List<Field> fields(Object o) {
    List<Field> out = new ArrayList<>();
    for (Field f : o.getClass().getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        out.add(f);
      }
    }
    return out;
  }

  private static List<String> fieldNames(Object o) {
    return fields(o).stream().map(Field::getName).toList();
  }

  private static List<String> equalFields(Object a, Object b) {
    List<String> out = new ArrayList<>();
    for (Field f : fields(a)) {
      if (Objects.equals(get(f, a), get(f, b))) {
        out.add(f.getName());
      }
    }
    return out;
  }

  private static @Nullable Object get(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new AssertionError(f.getName(), e);
    }
  }
}
