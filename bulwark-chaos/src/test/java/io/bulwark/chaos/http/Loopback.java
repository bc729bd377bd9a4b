package io.bulwark.chaos.http;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.StaticDiscovery;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Real Bulwark servers on 127.0.0.1 and a client to them (no retry, no breaker: one attempt per
 * call, so every faulted attempt is seen as it is), closed together.
 */
final class Loopback implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final StaticDiscovery discovery = StaticDiscovery.create();
  final SystemScheduler scheduler = SystemScheduler.create();
  private final List<BulwarkServer> servers = new ArrayList<>();
  private final List<HttpClients> clients = new ArrayList<>();

  /** A server of {@code service} instance {@code instance}, published in discovery. */
  BulwarkServer server(
      String service,
      String instance,
      Telemetry telemetry,
      Consumer<BulwarkServer.Builder> routes) {
    BulwarkServer.Builder b =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .telemetry(telemetry)
            .config(ServerConfig.builder().service(service).instance(instance).build());
    routes.accept(b);
    BulwarkServer s = b.build().start();
    servers.add(s);
    discovery.update(service, List.of(Endpoint.of("127.0.0.1", s.port())));
    return s;
  }

  /** A client named {@code service} calling {@code service}, with the given attempt timeout. */
  ServiceClient client(String service, Duration timeout, Telemetry telemetry) {
    HttpClients c =
        HttpClients.builder(discovery, scheduler)
            .vertx(vertx)
            .telemetry(telemetry)
            .client(service, ClientConfig.builder(service).timeout(timeout).build())
            .decorators((name, config) -> CallDecorator.none())
            .build();
    clients.add(c);
    return c.client(service);
  }

  @Override
  public void close() {
    clients.forEach(HttpClients::close);
    servers.forEach(BulwarkServer::shutdown);
    vertx.close().toCompletionStage().toCompletableFuture().join();
    scheduler.close();
  }
}
