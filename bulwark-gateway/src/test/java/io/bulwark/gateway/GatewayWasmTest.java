package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WASM filters (Chicory) over real loopback: allow with header changes, deny, a memory limit the
 * runtime enforces, and broken, trapping, slow or confused filters failing closed while the gateway
 * keeps serving. The test modules are in src/test/resources/wasm (WAT source beside each binary).
 */
class GatewayWasmTest {
  static Vertx vertx;
  static Upstream upstream;
  static Gateway gateway;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  static String module(String name) throws Exception {
    return Path.of(GatewayWasmTest.class.getResource("/wasm/" + name + ".wasm").toURI()).toString();
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = new Upstream(vertx, "up");
    String yaml =
        """
        listeners:
          public: {port: 0}
        clusters:
          up: {endpoints: [%s], egress-allow: [loopback]}
        routes:
          tag:
            match: {path-prefix: /tag}
            cluster: up
            wasm: {module: "%s", timeout: 5s}
          grow-small:
            match: {path-prefix: /grow-small}
            cluster: up
            wasm: {module: "%s", max-memory-pages: 16, timeout: 5s}
          grow-big:
            match: {path-prefix: /grow-big}
            cluster: up
            wasm: {module: "%s", max-memory-pages: 128, timeout: 5s}
          trap:
            match: {path-prefix: /trap}
            cluster: up
            wasm: {module: "%s", failure-status: 500, timeout: 5s}
          spin:
            match: {path-prefix: /spin}
            cluster: up
            wasm: {module: "%s", timeout: 100ms}
          confused:
            match: {path-prefix: /confused}
            cluster: up
            wasm: {module: "%s", timeout: 5s}
        """
            .formatted(
                upstream.endpoint(),
                module("tag"),
                module("grow"),
                module("grow"),
                module("trap"),
                module("spin"),
                module("verdict7"));
    gateway =
        Gateway.builder(
                ConfigLoader.withEnv(Map.of()).parse(yaml, "test.yaml", GatewayConfig::bind))
            .vertx(vertx)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpResponse<String> call(String path, Consumer<HttpRequest.Builder> h) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path));
    h.accept(b);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Upstream.Seen lastSeen(String uri) {
    return upstream.seen.stream()
        .filter(s -> s.uri().equals(uri))
        .reduce((a, b) -> b)
        .orElseThrow();
  }

  @Test
  void aFilterAllowsWithHeaderChangesOrDenies() throws Exception {
    HttpResponse<String> ok =
        call("/tag/1", b -> b.header("x-user", "alice").header("x-remove-me", "secret"));
    assertThat(ok.statusCode()).isEqualTo(200);
    Upstream.Seen seen = lastSeen("/tag/1");
    assertThat(seen.headers().get("x-filtered")).isEqualTo("alice");
    assertThat(seen.headers().contains("x-remove-me")).isFalse();
    int hits = upstream.hits.get();
    HttpResponse<String> denied = call("/tag/2", b -> {});
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("urn:bulwark:gateway:filter-denied");
    assertThat(upstream.hits.get()).isEqualTo(hits);
  }

  @Test
  void theMemoryLimitIsEnforcedByTheRuntime() throws Exception {
    assertThat(call("/grow-small", b -> {}).statusCode()).isEqualTo(200);
    assertThat(lastSeen("/grow-small").headers().get("x-grow")).isEqualTo("refused");
    assertThat(call("/grow-big", b -> {}).statusCode()).isEqualTo(200);
    assertThat(lastSeen("/grow-big").headers().get("x-grow")).isEqualTo("granted");
  }

  @Test
  void trappingSlowAndConfusedFiltersFailClosedAndTheGatewayKeepsServing() throws Exception {
    int hits = upstream.hits.get();
    HttpResponse<String> trap = call("/trap", b -> {});
    assertThat(trap.statusCode()).isEqualTo(500);
    assertThat(trap.body()).contains("urn:bulwark:gateway:filter-failed");
    HttpResponse<String> spin = call("/spin", b -> {});
    assertThat(spin.statusCode()).isEqualTo(503);
    assertThat(spin.body()).contains("urn:bulwark:gateway:filter-failed");
    assertThat(call("/confused", b -> {}).statusCode()).isEqualTo(503);
    assertThat(upstream.hits.get()).as("no failed filter let a request through").isEqualTo(hits);
    // the interrupted filter's thread is gone; the gateway still serves filtered routes
    assertThat(call("/spin", b -> {}).statusCode()).isEqualTo(503);
    assertThat(call("/tag/3", b -> b.header("x-user", "bob")).statusCode()).isEqualTo(200);
  }

  @Test
  void modulesThatCannotRunAreRejectedWhenTheConfigLoads() throws Exception {
    String base =
        """
        listeners:
          public: {port: 0}
        clusters:
          up: {endpoints: ["127.0.0.1:1"], egress-allow: [loopback]}
        routes:
          r:
            match: {path-prefix: /}
            cluster: up
            wasm: {module: "%s", max-memory-pages: 16}
        """;
    assertThatThrownBy(
            () ->
                ConfigLoader.withEnv(Map.of())
                    .parse(base.formatted(module("big")), "test.yaml", GatewayConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.yaml:9: routes.r.wasm.module:")
        .hasMessageContaining("starts with 32 memory pages, over max-memory-pages 16");
    assertThatThrownBy(
            () ->
                ConfigLoader.withEnv(Map.of())
                    .parse(base.formatted("/nonexistent/f.wasm"), "test.yaml", GatewayConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.yaml:9: routes.r.wasm.module: cannot read WASM module");
    String wat = Path.of(module("tag")).resolveSibling("tag.wat").toString();
    assertThatThrownBy(
            () ->
                ConfigLoader.withEnv(Map.of())
                    .parse(base.formatted(wat), "test.yaml", GatewayConfig::bind))
        .hasMessageContaining("test.yaml:9: routes.r.wasm.module:")
        .hasMessageContaining("is not a WebAssembly binary");
  }
}
