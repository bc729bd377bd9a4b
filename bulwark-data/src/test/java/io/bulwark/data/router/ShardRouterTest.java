package io.bulwark.data.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.StaticDiscovery;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shard router on real servers on 127.0.0.1: each server answers {@code GET /who/{key}} with
 * its node id, so every test sees which instance served which key. Ejection time is virtual.
 */
class ShardRouterTest {
  private static final Duration EJECTION = Duration.ofSeconds(30);

  private final Vertx vertx = Vertx.vertx();
  private final StaticDiscovery discovery = StaticDiscovery.create();
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final Map<String, BulwarkServer> servers = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Map<String, Integer> failWith = new ConcurrentHashMap<>();
  private final List<ShardRouter> routers = new ArrayList<>();

  @AfterEach
  void close() {
    routers.forEach(ShardRouter::close);
    servers.values().forEach(BulwarkServer::kill);
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private BulwarkServer start(String node) {
    BulwarkServer s =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .get(
                "/who/{key}",
                r -> {
                  hits.computeIfAbsent(node, n -> new AtomicInteger()).incrementAndGet();
                  Integer status = failWith.get(node);
                  if (status != null) {
                    throw HttpProblem.of(status, "injected", node + " answers " + status);
                  }
                  return Response.text(200, node);
                })
            .build()
            .start();
    servers.put(node, s);
    return s;
  }

  private void publish() {
    List<Endpoint> list = new ArrayList<>();
    servers.forEach(
        (node, s) ->
            list.add(
                new Endpoint(
                    "127.0.0.1:" + s.port(),
                    "127.0.0.1",
                    s.port(),
                    null,
                    Map.of("instance", node))));
    discovery.update("inv", list);
  }

  private ShardRouter router(int replicas) {
    ShardRouter r =
        ShardRouter.builder("inv", discovery, scheduler)
            .partitioner(Partitioner::rendezvous)
            .replicas(replicas)
            .nodeIdFromMetadata("instance")
            .client(ClientConfig.builder("inv").timeout(Duration.ofSeconds(5)).build())
            .outlier(
                OutlierConfig.builder()
                    .consecutiveFailures(1)
                    .baseEjection(EJECTION)
                    .maxEjection(EJECTION)
                    .maxEjectedShare(0.5)
                    .build())
            .vertx(vertx)
            .build();
    routers.add(r);
    return r;
  }

  private ShardRouter threeNodes(int replicas) {
    start("n1");
    start("n2");
    start("n3");
    publish();
    return router(replicas);
  }

  private static String who(ShardRouter r, String key) throws InterruptedException {
    ClientResponse response = r.send(key, ClientRequest.get("/who/" + key));
    assertThat(response.status()).as("status for " + key).isEqualTo(200);
    return response.bodyAsString();
  }

  /** A key whose primary owner is {@code node}. */
  private static String keyOwnedBy(ShardRouter r, String node) {
    Partitioner p = r.partitioner();
    assertThat(p).isNotNull();
    for (int i = 0; ; i++) {
      String key = "sku-" + i;
      if (p.owner(key).id().equals(node)) {
        return key;
      }
    }
  }

  private int hitsOf(String node) {
    AtomicInteger n = hits.get(node);
    return n == null ? 0 : n.get();
  }

  @Test
  void everyKeyGoesToItsOwnerAndTheKeysSpreadOverAllInstances() throws Exception {
    ShardRouter r = threeNodes(2);
    Partitioner p = r.partitioner();
    assertThat(p).isNotNull();
    assertThat(p.nodes()).extracting(Node::id).containsExactly("n1", "n2", "n3");
    Map<String, Integer> served = new HashMap<>();
    for (int i = 0; i < 90; i++) {
      String key = "sku-" + i;
      String node = who(r, key);
      assertThat(node).as(key).isEqualTo(p.owner(key).id());
      assertThat(who(r, key)).as("the same key again").isEqualTo(node);
      served.merge(node, 1, Integer::sum);
    }
    assertThat(served).containsOnlyKeys("n1", "n2", "n3");
    assertThat(served.values()).allSatisfy(n -> assertThat(n).isGreaterThan(10));
  }

  @Test
  void aKilledOwnersKeysGoToTheNextOwnerAndTheRestStayWhereTheyWere() throws Exception {
    ShardRouter r = threeNodes(2);
    Partitioner p = r.partitioner();
    assertThat(p).isNotNull();
    String key = keyOwnedBy(r, "n2");
    String replica = p.owners(Partitioner.hash(key), 2).get(1).id();
    servers.get("n2").kill();

    assertThat(who(r, key)).as("served by the replica").isEqualTo(replica);
    assertThat(r.isEjected("n2")).isTrue();
    assertThat(r.route(key)).extracting(Node::id).containsExactly(replica, "n2");
    for (int i = 0; i < 60; i++) {
      String k = "sku-" + i;
      String owner = p.owner(k).id();
      String expected = owner.equals("n2") ? p.owners(Partitioner.hash(k), 2).get(1).id() : owner;
      assertThat(who(r, k)).as(k).isEqualTo(expected);
    }
  }

  @Test
  void anEjectedOwnerIsSkippedWithoutACallAndTakesItsKeysBackWhenItsEjectionEnds()
      throws Exception {
    ShardRouter r = threeNodes(2);
    String key = keyOwnedBy(r, "n2");
    failWith.put("n2", 503);

    String first = who(r, key);
    assertThat(first).isNotEqualTo("n2");
    assertThat(hitsOf("n2")).as("the one failed call that ejected n2").isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      assertThat(who(r, key)).isEqualTo(first);
    }
    assertThat(hitsOf("n2")).as("no call to the ejected owner").isEqualTo(1);

    failWith.remove("n2");
    scheduler.advance(EJECTION.minusMillis(1));
    assertThat(who(r, key)).as("still ejected 1 ms before its end").isEqualTo(first);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(r.isEjected("n2")).isFalse();
    assertThat(who(r, key)).as("back with its keys").isEqualTo("n2");
  }

  @Test
  void aRestartedInstanceAtANewAddressIsUsableAtOnce() throws Exception {
    ShardRouter r = threeNodes(2);
    String key = keyOwnedBy(r, "n2");
    servers.get("n2").kill();
    assertThat(who(r, key)).isNotEqualTo("n2");
    assertThat(r.isEjected("n2")).isTrue();

    start("n2"); // a new incarnation on a new port, same instance id
    publish();
    assertThat(r.isEjected("n2")).as("a new address starts with a clean record").isFalse();
    assertThat(who(r, key)).isEqualTo("n2");
  }

  @Test
  void answersBelow500AreReturnedWithoutTryingAReplica() throws Exception {
    ShardRouter r = threeNodes(2);
    String key = keyOwnedBy(r, "n1");
    failWith.put("n1", 409);
    ClientResponse response = r.send(key, ClientRequest.get("/who/" + key));
    assertThat(response.status()).isEqualTo(409);
    assertThat(hits.keySet()).containsExactly("n1");
    assertThat(r.isEjected("n1")).isFalse();
  }

  @Test
  void withOneReplicaAKilledOwnerFailsTheCall() throws Exception {
    ShardRouter r = threeNodes(1);
    String key = keyOwnedBy(r, "n3");
    servers.get("n3").kill();
    assertThatThrownBy(() -> r.send(key, ClientRequest.get("/who/" + key)))
        .isInstanceOf(HttpCallException.class)
        .satisfies(e -> assertThat(((HttpCallException) e).isRetriable()).isTrue());
    assertThat(hits).isEmpty();
  }

  @Test
  void whenEveryOwnerFailsTheLastFailureCarriesTheEarlierOnes() throws Exception {
    ShardRouter r = threeNodes(3);
    failWith.put("n1", 500);
    failWith.put("n2", 502);
    failWith.put("n3", 503);
    String key = keyOwnedBy(r, "n1");
    assertThatThrownBy(() -> r.send(key, ClientRequest.get("/who/" + key)))
        .isInstanceOf(HttpCallException.class)
        .hasMessageContaining("every owner tried failed")
        .hasMessageContaining("n1: ")
        .hasMessageContaining("n2: ")
        .hasMessageContaining("n3: ");
    assertThat(hitsOf("n1") + hitsOf("n2") + hitsOf("n3")).as("each owner once").isEqualTo(3);
  }

  @Test
  void membershipFollowsDiscoveryWithANewSnapshotPerChange() throws Exception {
    ShardRouter r = threeNodes(2);
    Partitioner before = r.partitioner();
    start("n4");
    publish();
    Partitioner after = r.partitioner();
    assertThat(after).isNotSameAs(before);
    assertThat(after).isNotNull();
    assertThat(after.nodes()).extracting(Node::id).containsExactly("n1", "n2", "n3", "n4");
    String key = keyOwnedBy(r, "n4");
    assertThat(who(r, key)).isEqualTo("n4");

    servers.remove("n1").kill();
    publish();
    Partitioner fewer = r.partitioner();
    assertThat(fewer).isNotNull();
    assertThat(fewer.nodes()).extracting(Node::id).containsExactly("n2", "n3", "n4");
    for (int i = 0; i < 40; i++) {
      assertThat(who(r, "sku-" + i)).isNotEqualTo("n1");
    }
  }

  @Test
  void badKeysAreRefusedNamingTheRequest() {
    ShardRouter r = threeNodes(2);
    ClientRequest get = ClientRequest.get("/who/x");
    assertThatThrownBy(() -> r.send(nullKey(), get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be null")
        .hasMessageContaining("GET /who/x to inv");
    assertThatThrownBy(() -> r.send("", get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty");
    String huge = "k".repeat(ShardRouter.MAX_KEY_LENGTH + 1);
    assertThatThrownBy(() -> r.send(huge, get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1025 characters");
    assertThatThrownBy(() -> r.route(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty");
    assertThat(hits).as("nothing was sent").isEmpty();
  }

  @SuppressWarnings("NullAway")
  private static String nullKey() {
    return null;
  }

  @Test
  void badSettingsAreRefusedNamingTheValue() {
    var b = ShardRouter.builder("inv", discovery, scheduler);
    assertThatThrownBy(() -> b.replicas(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shard router for inv: replicas must be >= 1, was 0");
    assertThatThrownBy(() -> b.replicas(-3)).hasMessageContaining("was -3");
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no partitioner");
    assertThatThrownBy(() -> ShardRouter.builder(" ", discovery, scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be blank");
  }

  @Test
  void anUnknownServiceFailsEachCallNamingIt() {
    ShardRouter r =
        ShardRouter.builder("no-such-service", discovery, scheduler)
            .partitioner(Partitioner::rendezvous)
            .vertx(vertx)
            .build();
    routers.add(r);
    assertThat(r.partitioner()).isNull();
    assertThat(r.route("sku-1")).isEmpty();
    assertThatThrownBy(() -> r.send("sku-1", ClientRequest.get("/who/sku-1")))
        .isInstanceOf(HttpCallException.class)
        .hasMessageContaining("\"no-such-service\" has no instance in discovery");
  }
}
