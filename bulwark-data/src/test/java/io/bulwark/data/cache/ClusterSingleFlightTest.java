package io.bulwark.data.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import io.bulwark.events.Serdes;
import io.bulwark.http.BulwarkServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Cluster single-flight across three instances, each with its own HTTP server on loopback. */
class ClusterSingleFlightTest {
  private final List<BulwarkServer> servers = new ArrayList<>();
  private final List<ReadThroughCache<String, String>> caches = new ArrayList<>();
  private final Map<String, URI> addresses = new ConcurrentHashMap<>();
  private final AtomicInteger sourceLoads = new AtomicInteger();
  private final AtomicReference<BooleanSupplier> holdLoad = new AtomicReference<>(() -> true);
  private final List<Node> nodes = List.of(Node.of("n0"), Node.of("n1"), Node.of("n2"));
  private final Partitioner partitioner = Partitioner.rendezvous(nodes);

  @AfterEach
  void stop() {
    for (BulwarkServer s : servers) {
      s.kill();
    }
  }

  /** Waits (parking 1 ms between looks) for a marker set by the code under test. */
  private static void await(String what, BooleanSupplier condition) {
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > limit) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  private void startCluster() {
    for (Node self : nodes) {
      CacheLoader<String, String> source =
          key -> {
            sourceLoads.incrementAndGet();
            await("the readers to gather", holdLoad.get());
            if (key.startsWith("absent")) {
              return null;
            }
            if (key.startsWith("fail")) {
              throw new IllegalStateException("source refused " + key);
            }
            return "value-of-" + key + "@" + self.id();
          };
      ReadThroughCache<String, String> cache =
          ReadThroughCache.builder(
                  CacheConfig.of("catalog"),
                  ClusterSingleFlight.loader(
                      "catalog",
                      () -> partitioner,
                      self,
                      n -> addresses.get(n.id()),
                      Serdes.string(),
                      Duration.ofSeconds(30), // the owner holds its load; CI machines are slow
                      source))
              .build();
      BulwarkServer server =
          BulwarkServer.builder()
              .get(ClusterSingleFlight.ROUTE, ClusterSingleFlight.route(cache, Serdes.string()))
              .build()
              .start();
      servers.add(server);
      caches.add(cache);
      addresses.put(self.id(), URI.create("http://127.0.0.1:" + server.port()));
    }
  }

  @Test
  void concurrentMissesOnAllInstancesCauseOneLoadAtTheOwner() throws Exception {
    startCluster();
    String key = "sku 42/ü"; // needs URL encoding
    int ownerIndex = nodes.indexOf(partitioner.owner(key));
    ReadThroughCache<String, String> owner = caches.get(ownerIndex);
    // the owner's load is held until its cache has seen its 20 local readers and one request
    // from each of the two other instances (each coalescing its own 20 readers)
    holdLoad.set(() -> owner.stats().misses() >= 22);
    List<Future<String>> reads = new ArrayList<>();
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      for (ReadThroughCache<String, String> c : caches) {
        for (int i = 0; i < 20; i++) {
          reads.add(vts.submit(() -> c.get(key)));
        }
      }
      for (Future<String> r : reads) {
        assertThat(r.get()).isEqualTo("value-of-" + key + "@" + nodes.get(ownerIndex).id());
      }
    }
    assertThat(sourceLoads).hasValue(1);
    assertThat(owner.stats().misses()).isEqualTo(22);
  }

  @Test
  void aNonOwnerLoadsLocallyWhenTheOwnerIsDown() {
    startCluster();
    String key = "k-down";
    int ownerIndex = nodes.indexOf(partitioner.owner(key));
    int other = (ownerIndex + 1) % 3;
    servers.get(ownerIndex).kill();
    assertThat(caches.get(other).get(key)).isEqualTo("value-of-k-down@" + nodes.get(other).id());
    assertThat(sourceLoads).hasValue(1);
  }

  @Test
  void theOwnersAbsenceAndFailureReachTheAskingInstance() {
    startCluster();
    String absent = "absent-1";
    int other = (nodes.indexOf(partitioner.owner(absent)) + 1) % 3;
    assertThat(caches.get(other).get(absent)).isNull();
    assertThat(sourceLoads).hasValue(1); // loaded once, at the owner

    String failing = "fail-1";
    int asker = (nodes.indexOf(partitioner.owner(failing)) + 1) % 3;
    assertThatThrownBy(() -> caches.get(asker).get(failing))
        .isInstanceOf(CacheLoadException.class)
        .hasCauseInstanceOf(ClusterSingleFlight.OwnerLoadException.class)
        .hasMessageContaining("source refused fail-1");
    assertThat(sourceLoads).hasValue(2); // the asker did not load the failing key itself
  }
}
