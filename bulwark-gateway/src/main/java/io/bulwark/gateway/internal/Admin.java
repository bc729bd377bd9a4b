package io.bulwark.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.telemetry.MetricsScrape;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.gateway.AdminConfig;
import io.bulwark.gateway.RouteConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The admin API: {@code GET /config} (version, listeners, counts), {@code /routes}, {@code
 * /clusters} (each endpoint with its health, ejection or egress refusal), {@code /metrics} (the
 * telemetry's scrape) and {@code /health/live}, {@code /health/ready}. Read-only; bound to loopback
 * unless the config allows otherwise.
 */
final class Admin {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final Supplier<Snapshot> snapshot;
  private final Telemetry telemetry;
  private HttpServer server;

  Admin(Vertx vertx, Supplier<Snapshot> snapshot, Telemetry telemetry) {
    this.vertx = vertx;
    this.snapshot = snapshot;
    this.telemetry = telemetry;
    this.server = vertx.createHttpServer();
  }

  void listen(AdminConfig config) {
    server =
        Engine.await(
            vertx
                .createHttpServer(
                    new HttpServerOptions().setHost(config.host()).setPort(config.port()))
                .requestHandler(this::handle)
                .listen());
  }

  int port() {
    return server.actualPort();
  }

  void close() {
    Engine.await(server.close());
  }

  private void handle(HttpServerRequest req) {
    String path = req.path() == null ? "" : req.path();
    Snapshot s = snapshot.get();
    try {
      switch (path) {
        case "/config" -> json(req, config(s));
        case "/routes" -> json(req, routes(s));
        case "/clusters" -> json(req, clusters(s));
        case "/traffic" -> json(req, TrafficAdmin.view(s)); // gtraffic
        case "/health/live", "/health/ready" -> json(req, Map.of("status", "up"));
        case "/metrics" -> metrics(req);
        default -> req.response().setStatusCode(404).end();
      }
    } catch (JsonProcessingException e) {
      req.response().setStatusCode(500).end();
    }
  }

  private void metrics(HttpServerRequest req) {
    Optional<MetricsScrape> scrape = telemetry.scrape();
    if (scrape.isEmpty()) {
      req.response().setStatusCode(404).end("this gateway runs without a metrics scrape\n");
      return;
    }
    req.response().putHeader("content-type", scrape.get().contentType()).end(scrape.get().scrape());
  }

  private static Map<String, Object> config(Snapshot s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", s.version);
    out.put("listeners", s.config.listeners().keySet());
    out.put("routes", s.config.routes().size());
    out.put("clusters", s.config.clusters().keySet());
    return out;
  }

  private static List<Map<String, Object>> routes(Snapshot s) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RouteConfig r : s.config.routes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name());
      m.put("hosts", r.match().hosts());
      m.put(
          "path",
          r.match().pathKind().name().toLowerCase(java.util.Locale.ROOT) + " " + r.match().path());
      m.put("methods", r.match().methods());
      if (r.cluster() != null) {
        m.put("cluster", r.cluster());
      }
      RouteConfig.Redirect redirect = r.redirect();
      if (redirect != null) {
        m.put("redirect", redirect.location());
      }
      out.add(m);
    }
    return out;
  }

  private static List<Map<String, Object>> clusters(Snapshot s) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ClusterRuntime c : s.clusters.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.config.name());
      m.put("protocol", c.config.protocol().name().toLowerCase(java.util.Locale.ROOT));
      io.bulwark.gateway.UpstreamTlsConfig tls = c.config.tls();
      if (tls != null) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("trust", tls.ca() == null ? "jdk-default" : tls.ca().toString());
        t.put("server-name", tls.serverName() == null ? "endpoint host" : tls.serverName());
        t.put(
            "client-certificate",
            tls.certificate() == null ? "none" : tls.certificate().toString());
        t.put("protocols", tls.protocols());
        m.put("tls", t);
      }
      List<Map<String, Object>> endpoints = new ArrayList<>();
      for (ClusterRuntime.EndpointView e : c.endpoints()) {
        Map<String, Object> em = new LinkedHashMap<>();
        em.put("id", e.id());
        em.put("address", e.address());
        em.put("status", e.status());
        em.put("in-flight", e.inFlight());
        endpoints.add(em);
      }
      m.put("endpoints", endpoints);
      Http1Pools own = c.http1;
      if (own != null) {
        m.put("pooled-connections", own.connections.get());
        m.put("pooled-exchanges", own.exchanges.sum());
      }
      out.add(m);
    }
    return out;
  }

  private static void json(HttpServerRequest req, Object body) throws JsonProcessingException {
    req.response()
        .putHeader("content-type", "application/json")
        .end(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
  }
}
