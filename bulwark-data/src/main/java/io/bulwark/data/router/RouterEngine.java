package io.bulwark.data.router;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.time.Scheduler;
import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.http.health.OutlierDetector;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ShardRouter}: a volatile {@link Members} snapshot replaced on each discovery change
 * (under a lock that only orders the changes; calls never take it), and an {@link OutlierDetector}
 * keyed by node id fed by the router's own attempts.
 */
final class RouterEngine implements ShardRouter {
  private static final String COMPONENT = "shard-router";

  private final String service;
  private final int replicas;
  private final Scheduler scheduler;
  private final Function<List<Node>, Partitioner> factory;
  private final Function<Endpoint, String> nodeId;
  private final Function<Endpoint, Double> weight;
  private final ClientConfig clientConfig;
  private final OutlierDetector outliers;
  private final Decisions decisions;
  private final io.bulwark.core.telemetry.Telemetry telemetry;
  private final Vertx vertx;
  private final @Nullable Vertx ownedVertx;
  private final ReentrantLock changes = new ReentrantLock();
  private volatile Members members = Members.EMPTY;
  private volatile boolean closed;
  private final ServiceDiscovery.Subscription subscription;

  RouterEngine(ShardRouter.Builder b) {
    this.service = b.service;
    this.replicas = b.replicas;
    this.scheduler = b.scheduler;
    this.factory = Objects.requireNonNull(b.partitioner);
    this.nodeId = b.nodeId;
    this.weight = b.weight;
    ClientConfig c = b.client;
    this.clientConfig = c == null ? ClientConfig.builder(service).build() : c;
    this.outliers = new OutlierDetector(b.outlier, scheduler.clock());
    this.telemetry = b.telemetry;
    this.decisions = b.telemetry.decisions();
    Vertx v = b.vertx;
    this.ownedVertx = v == null ? Vertx.vertx() : null;
    this.vertx = v == null ? Objects.requireNonNull(ownedVertx) : v;
    this.subscription = b.discovery.subscribe(service, this::onEndpoints);
  }

  @Override
  public String service() {
    return service;
  }

  @Override
  public int replicas() {
    return replicas;
  }

  @Override
  public @Nullable Partitioner partitioner() {
    return members.partitioner();
  }

  @Override
  public boolean isEjected(String id) {
    return outliers.isEjected(id);
  }

  @Override
  public List<Node> route(String key) {
    checkKey(key, null);
    Members m = members;
    Partitioner p = m.partitioner();
    if (p == null) {
      return List.of();
    }
    List<Node> owners = p.owners(Partitioner.hash(key), replicas);
    List<Node> usable = new ArrayList<>(owners.size());
    List<Node> ejected = new ArrayList<>(0);
    for (Node n : owners) {
      (outliers.isEjected(n.id()) ? ejected : usable).add(n);
    }
    usable.addAll(ejected);
    return usable;
  }

  @Override
  public ClientResponse send(String key, ClientRequest request) throws InterruptedException {
    checkKey(key, request);
    Objects.requireNonNull(request, "request");
    Members m = members;
    List<Node> order = route(key);
    if (order.isEmpty()) {
      throw new HttpCallException(
          service,
          0,
          null,
          "shard router: service \""
              + service
              + "\" has no instance in discovery (unknown service, or none registered yet)",
          null);
    }
    List<String> failures = new ArrayList<>(0);
    HttpCallException last = null;
    for (int i = 0; i < order.size(); i++) {
      Node node = order.get(i);
      Member member = m.byNode().get(node.id());
      if (member == null) {
        continue; // cannot happen: the snapshot's partitioner has only its members
      }
      try {
        ClientResponse r = member.client().send(request);
        outliers.record(node.id(), true, m.byNode().keySet());
        return r;
      } catch (HttpCallException e) {
        if (!e.isRetriable()) {
          throw e;
        }
        outliers.record(node.id(), false, m.byNode().keySet());
        failures.add(node.id() + ": " + e.getMessage());
        last = e;
        if (i + 1 < order.size()) {
          decisions.record(
              COMPONENT + ":" + service,
              "fallback",
              "owner "
                  + node.id()
                  + " failed ("
                  + e.getMessage()
                  + "); trying "
                  + order.get(i + 1).id());
        }
      }
    }
    HttpCallException e = Objects.requireNonNull(last);
    if (failures.size() == 1) {
      throw e;
    }
    throw new HttpCallException(
        service,
        e.status(),
        e.endpointId(),
        "shard router: every owner tried failed for "
            + request.method()
            + " "
            + request.path()
            + ": "
            + failures,
        e);
  }

  private void checkKey(@Nullable String key, @Nullable ClientRequest request) {
    String where =
        request == null
            ? ""
            : " (request " + request.method() + " " + request.path() + " to " + service + ")";
    if (key == null) {
      throw new IllegalArgumentException("shard key must not be null" + where);
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("shard key must not be empty" + where);
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "shard key of "
              + key.length()
              + " characters is longer than "
              + MAX_KEY_LENGTH
              + ", starting \""
              + key.substring(0, 32)
              + "...\""
              + where);
    }
  }

  /**
   * A discovery change: the new members (an instance's client kept while its endpoint is
   * unchanged), a new partitioner snapshot, then the replaced clients closed.
   */
  private void onEndpoints(List<Endpoint> endpoints) {
    List<Member> gone = new ArrayList<>();
    changes.lock();
    try {
      if (closed) {
        return;
      }
      Members old = members;
      Map<String, Member> next = new HashMap<>();
      for (Endpoint e : endpoints) {
        Node node = node(e);
        if (node == null || next.containsKey(node.id())) {
          continue;
        }
        Member kept = old.byNode().get(node.id());
        next.put(
            node.id(),
            kept != null && kept.endpoint().equals(e) && kept.node().equals(node)
                ? kept
                : member(node, e));
      }
      for (Member o : old.byNode().values()) {
        Member now = next.get(o.node().id());
        if (now == null || !now.endpoint().equals(o.endpoint()) || now.clients() != o.clients()) {
          gone.add(o);
        }
      }
      List<Node> nodes =
          next.values().stream().map(Member::node).sorted(Comparator.comparing(Node::id)).toList();
      members = new Members(nodes.isEmpty() ? null : factory.apply(nodes), Map.copyOf(next));
      // a node at a new address (a restarted instance) starts with a clean record
      Set<String> keep = new HashSet<>(next.keySet());
      for (Member g : gone) {
        keep.remove(g.node().id());
      }
      outliers.retain(keep);
    } catch (RuntimeException e) {
      decisions.record(
          COMPONENT + ":" + service, "membership-refused", "new membership not applied: " + e);
    } finally {
      changes.unlock();
    }
    gone.forEach(Member::close);
  }

  private @Nullable Node node(Endpoint e) {
    String id = nodeId.apply(e);
    Double w = weight.apply(e);
    try {
      return new Node(id, w == null ? 1.0 : w);
    } catch (IllegalArgumentException bad) {
      decisions.record(
          COMPONENT + ":" + service,
          "member-refused",
          "endpoint " + e.id() + " left out: " + bad.getMessage());
      return null;
    }
  }

  private Member member(Node node, Endpoint e) {
    HttpClients clients = clients(e);
    return new Member(node, e, clients, clients.client(service));
  }

  private HttpClients clients(Endpoint e) {
    String url = (clientConfig.tls() ? "https://" : "http://") + e.host() + ":" + e.port();
    return HttpClients.builder(scheduler)
        .client(service, url, clientConfig.toBuilder().service(service).build())
        .decorators((name, config) -> CallDecorator.none())
        .telemetry(telemetry)
        .vertx(vertx)
        .build();
  }

  @Override
  public void close() {
    List<Member> all;
    changes.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      all = List.copyOf(members.byNode().values());
      members = Members.EMPTY;
    } finally {
      changes.unlock();
    }
    subscription.close();
    all.forEach(Member::close);
    Vertx v = ownedVertx;
    if (v != null) {
      try {
        v.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // closing is best effort
      }
    }
  }

  /** One membership: the partitioner over the members (null when there is none) and the members. */
  record Members(@Nullable Partitioner partitioner, Map<String, Member> byNode) {
    static final Members EMPTY = new Members(null, Map.of());
  }

  /** An instance: its node, its endpoint and the client that calls it. */
  record Member(Node node, Endpoint endpoint, HttpClients clients, ServiceClient client) {
    void close() {
      clients.close();
    }
  }
}
