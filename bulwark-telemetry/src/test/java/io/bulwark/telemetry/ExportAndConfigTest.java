package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ExportAndConfigTest {
  /** 127.0.0.1 as an address, so nothing resolves a host name. */
  private static final InetAddress LOOPBACK = loopback();

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void otlpIsOffByDefaultAndPushesMetricsAndSpansWhenConfigured() throws Exception {
    assertThat(TelemetryConfig.builder().buildConfig().otlpEndpoint()).isNull();

    Map<String, Integer> bytesByPath = new ConcurrentHashMap<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    collector.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    collector.createContext(
        "/",
        exchange -> {
          try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            bytesByPath.merge(exchange.getRequestURI().getPath(), body.length, Integer::sum);
            exchange.sendResponseHeaders(200, -1);
          }
        });
    collector.start();
    try (BulwarkTelemetry t =
        BulwarkTelemetry.builder()
            .otlpEndpoint(URI.create("http://127.0.0.1:" + collector.getAddress().getPort()))
            .build()) {
      t.endpoint("checkout").success(1_000_000);
      t.tracing().inSpan("work", () -> 1);
      t.flush(10_000);
    } finally {
      collector.stop(0);
    }
    assertThat(bytesByPath).containsKeys("/v1/metrics", "/v1/traces");
    assertThat(bytesByPath.get("/v1/metrics")).isPositive();
  }

  @Test
  void configBindsFromYaml() {
    TelemetryConfig config =
        ConfigLoader.withEnv(Map.of())
            .parse(
                """
                service-name: shop
                sampling-ratio: 0.25
                max-names-per-dimension: 50
                duration-buckets: [10ms, 100ms, 1s]
                otlp-endpoint: http://localhost:4318
                otlp-interval: 10s
                """,
                "telemetry.yaml",
                TelemetryConfig::bind);
    assertThat(config.serviceName()).isEqualTo("shop");
    assertThat(config.samplingRatio()).isEqualTo(0.25);
    assertThat(config.maxNamesPerDimension()).isEqualTo(50);
    assertThat(config.durationBuckets())
        .containsExactly(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1));
    assertThat(config.otlpEndpoint()).isEqualTo(URI.create("http://localhost:4318"));
    assertThat(config.otlpInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void badYamlNamesFileLineAndValue() {
    assertThatThrownBy(
            () ->
                ConfigLoader.withEnv(Map.of())
                    .parse(
                        "service-name: shop\nsampling-ratio: 2\n",
                        "telemetry.yaml",
                        TelemetryConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("telemetry.yaml:2")
        .hasMessageContaining("sampling-ratio")
        .hasMessageContaining("2.0");
  }

  @Test
  void emptyBucketListIsRejected() {
    assertThatThrownBy(() -> TelemetryConfig.builder().durationBuckets(List.of()))
        .hasMessageContaining("was 0");
  }

  @Test
  void camelCaseKeyIsRejectedNamingTheKebabCaseKey() {
    assertThatThrownBy(
            () ->
                ConfigLoader.withEnv(Map.of())
                    .parse("serviceName: shop\n", "telemetry.yaml", TelemetryConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "telemetry.yaml:1: serviceName: keys are kebab-case: write \"service-name\"");
  }
}
