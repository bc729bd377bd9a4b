package io.bulwark.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.NetworkPartitioner.Mode;
import io.bulwark.http.discovery.EmbeddedRegistry;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.runtime.RuntimeOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process-mode child's discovery against the parent's control endpoint: one long poll per service
 * shared by every subscriber, changes (registrations, partitions) pushed at once, no polling while
 * nothing changes, and bad poll parameters refused with a message.
 */
class RemoteDiscoveryTest {
  @TempDir Path dir;
  private SystemParts parts;
  private Partitions partitions;
  private SystemServer server;
  private String base;

  @BeforeEach
  void start() {
    parts = SystemParts.open(RuntimeOptions.builder(dir).build());
    partitions = new Partitions(Set.of("web", "cart"), (kind, service, detail) -> {});
    server = SystemServer.start(parts, "127.0.0.1", 0, () -> "", partitions);
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
    partitions.close();
    parts.close();
  }

  private EmbeddedRegistry.Registration register(String id, int port) {
    return parts.registry.register(
        "cart", new Endpoint(id, "127.0.0.1", port, null, Map.of("instance", id)));
  }

  @Test
  void subscribersShareOneFeedAndHearChangesAtOnce() throws Exception {
    register("cart-1", 7001);
    try (RemoteDiscovery d = new RemoteDiscovery(base, "web")) {
      LinkedBlockingQueue<List<Endpoint>> a = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<List<Endpoint>> b = new LinkedBlockingQueue<>();
      ServiceDiscovery.Subscription sa = d.subscribe("cart", a::add);
      ServiceDiscovery.Subscription sb = d.subscribe("cart", b::add);
      assertThat(ports(a.poll(5, TimeUnit.SECONDS))).containsExactly(7001);
      assertThat(ports(b.poll(5, TimeUnit.SECONDS))).containsExactly(7001);

      // a new instance: both hear it long before the 20 s long poll would end by itself
      long t0 = System.nanoTime();
      EmbeddedRegistry.Registration second = register("cart-2", 7002);
      assertThat(ports(a.poll(10, TimeUnit.SECONDS))).containsExactlyInAnyOrder(7001, 7002);
      assertThat(ports(b.poll(10, TimeUnit.SECONDS))).containsExactlyInAnyOrder(7001, 7002);
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isLessThan(RemoteDiscovery.WAIT.minusSeconds(5));
      // endpoints() answers from the running feed
      assertThat(ports(d.endpoints("cart"))).containsExactlyInAnyOrder(7001, 7002);

      // a partition started in the parent empties the view; the heal brings it back
      partitions.partition("web", "cart", Mode.FAIL);
      assertThat(a.poll(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(b.poll(10, TimeUnit.SECONDS)).isEmpty();
      partitions.heal("web", "cart");
      assertThat(ports(a.poll(10, TimeUnit.SECONDS))).containsExactlyInAnyOrder(7001, 7002);
      assertThat(ports(b.poll(10, TimeUnit.SECONDS))).containsExactlyInAnyOrder(7001, 7002);

      // one subscriber gone: the other still hears the departure of cart-2
      sa.close();
      second.close();
      assertThat(ports(b.poll(10, TimeUnit.SECONDS))).containsExactly(7001);
      // a is notified before b in the same pass when subscribed: it heard nothing after its close
      assertThat(a.poll(0, TimeUnit.SECONDS)).isNull();
      sb.close();
    }
  }

  @Test
  void aLongPollWaitsWhileNothingChangesAndAnswersOnAChange() throws Exception {
    register("cart-1", 7001);
    HttpClient http = HttpClient.newHttpClient();
    try {
      HttpResponse<String> first = get(http, "/control/discovery/cart?caller=web");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).startsWith("cart-1 127.0.0.1 7001 ");
      long version =
          Long.parseLong(first.headers().firstValue(SystemServer.VERSION_HEADER).orElseThrow());

      // unchanged: the answer waits the whole wait, then comes with the same version
      long t0 = System.nanoTime();
      HttpResponse<String> same =
          get(http, "/control/discovery/cart?caller=web&since=" + version + "&wait=400");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400));
      assertThat(same.headers().firstValue(SystemServer.VERSION_HEADER)).hasValue("" + version);
      assertThat(same.body()).isEqualTo(first.body());

      // an old version: at once
      HttpResponse<String> stale =
          get(http, "/control/discovery/cart?caller=web&since=" + (version + 7) + "&wait=30000");
      assertThat(stale.body()).isEqualTo(first.body());

      // a change while a poll waits (30 s): it answers with the new view and a newer version
      var pending =
          http.sendAsync(
              HttpRequest.newBuilder(
                      URI.create(
                          base
                              + "/control/discovery/cart?caller=web&since="
                              + version
                              + "&wait=30000"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      register("cart-2", 7002);
      HttpResponse<String> changed = pending.get(15, TimeUnit.SECONDS);
      assertThat(changed.body()).contains("cart-1 ").contains("cart-2 127.0.0.1 7002 ");
      assertThat(
              Long.parseLong(
                  changed.headers().firstValue(SystemServer.VERSION_HEADER).orElseThrow()))
          .isGreaterThan(version);
    } finally {
      http.close();
    }
  }

  @Test
  void badPollParametersAreRefusedNamingTheValue() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try {
      HttpResponse<String> r = get(http, "/control/discovery/cart?caller=web&since=x&wait=10");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("since and wait").contains("got x");
      HttpResponse<String> neg = get(http, "/control/discovery/cart?caller=web&since=1&wait=-5");
      assertThat(neg.statusCode()).isEqualTo(400);
      assertThat(neg.body()).contains("got -5");
      HttpResponse<String> noCaller = get(http, "/control/discovery/cart");
      assertThat(noCaller.statusCode()).isEqualTo(400);
      assertThat(noCaller.body()).contains("caller");
    } finally {
      http.close();
    }
  }

  private HttpResponse<String> get(HttpClient http, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(40)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<Integer> ports(List<Endpoint> endpoints) {
    return endpoints.stream().map(Endpoint::port).toList();
  }
}
