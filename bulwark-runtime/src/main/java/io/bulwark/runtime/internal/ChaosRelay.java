package io.bulwark.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.http.ChaosRoutes;
import io.bulwark.core.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process mode: relays the faults of a chaos controller in the parent to the children. A fault
 * started on the controller is started on every ready child's chaos admin endpoint ({@code POST
 * /chaos/faults}, the same JSON, for the time it has left); when it ends there it is cleared in
 * every child ({@code DELETE /chaos/faults/{id}}); a child that becomes ready later (a restart, a
 * deploy, a supervised restart after a kill) gets the faults active then. The parent's own JVM (its
 * in-parent services) is covered by the controller itself.
 *
 * <p>{@link Chaos.Listener} calls are fast and never throw: the HTTP work runs in order on one
 * virtual thread. A child that refuses or misses a fault is logged and counted in {@link
 * #failures()}; the fault still expires there on its own, like everywhere.
 */
final class ChaosRelay implements Chaos.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ChaosRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<List<Instance>> children;
  private final Supplier<HttpClient> http;
  private final java.util.function.Function<String, @org.jspecify.annotations.Nullable Identities>
      identities;
  private final Clock clock;
  private final String host;
  private final ExecutorService work =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("chaos-relay").factory());

  /** The parent's active faults, by id; only the relay's thread writes. */
  private final Map<String, ActiveFault> active = new LinkedHashMap<>();

  /** Per parent fault id: instance id → the child's fault id. Only the relay's thread writes. */
  private final Map<String, Map<String, String>> relayed = new ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.AtomicLong failures =
      new java.util.concurrent.atomic.AtomicLong();

  ChaosRelay(
      Supplier<List<Instance>> children,
      Supplier<HttpClient> http,
      java.util.function.Function<String, @org.jspecify.annotations.Nullable Identities> identities,
      Clock clock,
      String host) {
    this.identities = identities;
    this.children = children;
    this.http = http;
    this.clock = clock;
    this.host = host;
  }

  @Override
  public void started(ActiveFault fault) {
    submit(
        () -> {
          active.put(fault.id(), fault);
          for (Instance child : children.get()) {
            startOn(child, fault);
          }
        });
  }

  @Override
  public void ended(ActiveFault fault, Chaos.EndReason reason) {
    submit(
        () -> {
          active.remove(fault.id());
          Map<String, String> byChild = relayed.remove(fault.id());
          if (byChild == null) {
            return;
          }
          for (Instance child : children.get()) {
            String childId = byChild.get(child.id());
            if (childId != null) {
              clearOn(child, childId);
            }
          }
        });
  }

  /** A child became ready: it gets every fault active now. */
  void childReady(Instance child) {
    submit(
        () -> {
          for (Map<String, String> byChild : relayed.values()) {
            byChild.remove(child.id()); // that incarnation is gone, with its faults
          }
          for (ActiveFault fault : List.copyOf(active.values())) {
            startOn(child, fault);
          }
        });
  }

  /** Relays that a child refused or did not answer. */
  long failures() {
    return failures.get();
  }

  /** Waits for the relays queued so far (bounded), for tests and an orderly stop. */
  boolean drain(Duration budget) throws InterruptedException {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    submit(done::countDown);
    return done.await(budget.toMillis(), TimeUnit.MILLISECONDS);
  }

  void close() {
    work.shutdown();
    try {
      if (!work.awaitTermination(5, TimeUnit.SECONDS)) {
        work.shutdownNow();
      }
    } catch (InterruptedException e) {
      work.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void submit(Runnable r) {
    try {
      work.execute(
          () -> {
            try {
              r.run();
            } catch (RuntimeException e) {
              failures.incrementAndGet();
              LOG.warn("chaos relay failed", e);
            }
          });
    } catch (RejectedExecutionException closed) {
      // the runtime stopped: nothing left to relay to
    }
  }

  private void startOn(Instance child, ActiveFault fault) {
    int port = child.port();
    Duration left = Duration.between(Instant.ofEpochMilli(clock.wallMillis()), fault.expiresAt());
    if (port <= 0 || left.toMillis() < 1) {
      return;
    }
    ObjectNode body = ChaosRoutes.toJson(fault.spec());
    body.put("duration", Duration.ofMillis(left.toMillis()).toString());
    HttpResponse<String> r = send(child, "POST", port, ChaosRoutes.PATH, body.toString());
    if (r == null) {
      return;
    }
    if (r.statusCode() != 201) {
      failures.incrementAndGet();
      LOG.warn(
          "{}: refused relayed fault {}: {} {}", child.id(), fault.id(), r.statusCode(), r.body());
      return;
    }
    try {
      JsonNode id = JSON.readTree(r.body()).get("id");
      if (id != null && id.isTextual()) {
        relayed
            .computeIfAbsent(fault.id(), k -> new ConcurrentHashMap<>())
            .put(child.id(), id.asText());
      }
    } catch (IOException e) {
      failures.incrementAndGet();
      LOG.warn("{}: relayed fault {}: unreadable answer {}", child.id(), fault.id(), r.body());
    }
  }

  private void clearOn(Instance child, String childFaultId) {
    int port = child.port();
    if (port <= 0) {
      return;
    }
    HttpResponse<String> r =
        send(child, "DELETE", port, ChaosRoutes.PATH + "/" + childFaultId, null);
    if (r != null && r.statusCode() != 200 && r.statusCode() != 204 && r.statusCode() != 404) {
      failures.incrementAndGet();
      LOG.warn(
          "{}: clearing relayed fault {}: {} {}",
          child.id(),
          childFaultId,
          r.statusCode(),
          r.body());
    }
  }

  private @org.jspecify.annotations.Nullable HttpResponse<String> send(
      Instance child,
      String method,
      int port,
      String path,
      @org.jspecify.annotations.Nullable String body) {
    Identities ids = identities.apply(child.spec().name());
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create((ids == null ? "http" : "https") + "://" + host + ":" + port + path))
            .timeout(Duration.ofSeconds(30)) // a child just started answers slowly (cold)
            .version(HttpClient.Version.HTTP_1_1)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    try {
      return (ids == null ? http.get() : ids.jdkClient())
          .send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      failures.incrementAndGet();
      LOG.warn("{}: chaos relay {} {} failed: {}", child.id(), method, path, e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
