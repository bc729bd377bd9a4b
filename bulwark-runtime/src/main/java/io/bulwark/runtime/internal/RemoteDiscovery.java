package io.bulwark.runtime.internal;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process-mode child's discovery: asks the parent runtime's control endpoint ({@code GET
 * /control/discovery/<service>?caller=<own service>}), which answers through the partitions, so a
 * partition started in the parent takes effect in the child's clients. Subscriptions poll every
 * {@link #POLL} and push a changed list. Unreachable parent: the last known list stays.
 */
final class RemoteDiscovery implements ServiceDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteDiscovery.class);
  static final Duration POLL = Duration.ofMillis(100);
  private final String base;
  private final String caller;
  private final HttpClient http;
  private final List<Thread> pollers = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  RemoteDiscovery(String base, String caller) {
    this.base = base;
    this.caller = caller;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  }

  @Override
  public List<Endpoint> endpoints(String service) {
    List<Endpoint> got = fetch(service);
    return got == null ? List.of() : got;
  }

  /** The endpoints, or null when the parent did not answer. */
  @Nullable List<Endpoint> fetch(String service) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(base + "/control/discovery/" + service + "?caller=" + caller))
                  .timeout(Duration.ofSeconds(1))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        LOG.warn("discovery of {} answered {}: {}", service, r.statusCode(), r.body());
        return null;
      }
      return parse(r.body());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Lines of {@code id host port key=value;key=value}. */
  static List<Endpoint> parse(String body) {
    List<Endpoint> out = new ArrayList<>();
    for (String line : body.lines().toList()) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.split(" ", 4);
      Map<String, String> meta = new LinkedHashMap<>();
      if (parts.length == 4) {
        for (String kv : parts[3].split(";", -1)) {
          int eq = kv.indexOf('=');
          if (eq > 0) {
            meta.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        }
      }
      out.add(new Endpoint(parts[0], parts[1], Integer.parseInt(parts[2]), meta.get("zone"), meta));
    }
    return List.copyOf(out);
  }

  @Override
  public Subscription subscribe(String service, Consumer<List<Endpoint>> listener) {
    List<Endpoint> first = fetch(service);
    List<Endpoint> initial = first == null ? List.of() : first;
    listener.accept(initial);
    Thread poller =
        Thread.ofVirtual()
            .name("discovery-" + service)
            .unstarted(
                () -> {
                  List<Endpoint> last = initial;
                  while (!closed && !Thread.currentThread().isInterrupted()) {
                    try {
                      Thread.sleep(POLL);
                    } catch (InterruptedException e) {
                      return;
                    }
                    List<Endpoint> now = fetch(service);
                    if (now != null && !Objects.equals(now, last)) {
                      last = now;
                      listener.accept(now);
                    }
                  }
                });
    pollers.add(poller);
    poller.start();
    return () -> {
      pollers.remove(poller);
      poller.interrupt();
    };
  }

  @Override
  public void close() {
    closed = true;
    pollers.forEach(Thread::interrupt);
    http.close();
  }
}
