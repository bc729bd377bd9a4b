package io.bulwark.http.client;

import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.StaticDiscovery;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Real servers on 127.0.0.1 sharing one Vert.x, and clients to them, closed together. */
final class Loopback implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final StaticDiscovery discovery = StaticDiscovery.create();
  final SystemScheduler scheduler = SystemScheduler.create();
  private final List<BulwarkServer> servers = new ArrayList<>();
  private final List<HttpClients> clients = new ArrayList<>();

  BulwarkServer server(Consumer<BulwarkServer.Builder> routes) {
    BulwarkServer.Builder b = BulwarkServer.builder().vertx(vertx).eventLoops(1);
    routes.accept(b);
    BulwarkServer s = b.build().start();
    servers.add(s);
    return s;
  }

  static Endpoint endpoint(BulwarkServer s) {
    return Endpoint.of("127.0.0.1", s.port());
  }

  void publish(String service, BulwarkServer... instances) {
    List<Endpoint> list = new ArrayList<>();
    for (BulwarkServer s : instances) {
      list.add(endpoint(s));
    }
    discovery.update(service, list);
  }

  HttpClients clients(Consumer<HttpClients.Builder> config) {
    HttpClients.Builder b = HttpClients.builder(discovery, scheduler).vertx(vertx);
    config.accept(b);
    HttpClients c = b.build();
    clients.add(c);
    return c;
  }

  /** Clients for URLs, without discovery ({@link HttpClients#builder(Scheduler)}). */
  HttpClients urlClients(Consumer<HttpClients.Builder> config) {
    HttpClients.Builder b = HttpClients.builder(scheduler).vertx(vertx);
    config.accept(b);
    HttpClients c = b.build();
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    clients.forEach(HttpClients::close);
    servers.forEach(BulwarkServer::shutdown);
    vertx.close().toCompletionStage().toCompletableFuture().join();
    scheduler.close();
  }
}
