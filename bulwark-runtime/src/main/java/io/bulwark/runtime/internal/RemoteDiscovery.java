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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process-mode child's discovery: asks the parent runtime's control endpoint ({@code GET
 * /control/discovery/<service>?caller=<own service>}), which answers through the partitions, so a
 * partition started in the parent takes effect in the child's clients.
 *
 * <p>One feed per service, shared by all of the child's subscribers to it: a long poll ({@code
 * &since=<version>&wait=}{@link #WAIT}) that the parent answers as soon as the view changes, so a
 * change arrives at once and an unchanged system costs one request per service per {@link #WAIT}.
 * While a feed runs, {@link #endpoints} answers from it without a round trip. Unreachable parent:
 * the last known list stays and the feed asks again after {@link #RETRY}.
 */
final class RemoteDiscovery implements ServiceDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteDiscovery.class);

  /** How long the parent may hold one long poll. */
  static final Duration WAIT = Duration.ofSeconds(20);

  /** The pause after a failed poll. */
  static final Duration RETRY = Duration.ofMillis(250);

  private final String base;
  private final String caller;
  private final HttpClient http;
  private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
  private volatile boolean closed;

  RemoteDiscovery(String base, String caller) {
    this.base = base;
    this.caller = caller;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  }

  @Override
  public List<Endpoint> endpoints(String service) {
    Feed feed = feeds.get(service);
    if (feed != null) {
      return feed.last;
    }
    Answer got = fetch(service, -1, Duration.ZERO);
    return got == null ? List.of() : got.endpoints();
  }

  /** One answer of the parent. */
  record Answer(List<Endpoint> endpoints, long version) {}

  /**
   * The endpoints, once their version differs from {@code since} or {@code wait} has passed; null
   * when the parent did not answer.
   */
  @Nullable Answer fetch(String service, long since, Duration wait) {
    String query = "?caller=" + caller;
    if (since >= 0) {
      query += "&since=" + since + "&wait=" + wait.toMillis();
    }
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/control/discovery/" + service + query))
                  .timeout(wait.plusSeconds(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        LOG.warn("discovery of {} answered {}: {}", service, r.statusCode(), r.body());
        return null;
      }
      long version =
          r.headers().firstValue(SystemServer.VERSION_HEADER).map(Long::parseLong).orElse(-1L);
      return new Answer(parse(r.body()), version);
    } catch (IOException | NumberFormatException e) {
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
    Feed feed;
    synchronized (feeds) {
      feed = feeds.computeIfAbsent(service, Feed::new);
      feed.listeners.add(listener);
    }
    listener.accept(feed.last);
    return () -> {
      synchronized (feeds) {
        feed.listeners.remove(listener);
        if (feed.listeners.isEmpty() && feeds.remove(service, feed)) {
          feed.stop();
        }
      }
    };
  }

  @Override
  public void close() {
    closed = true;
    synchronized (feeds) {
      feeds.values().forEach(Feed::stop);
      feeds.clear();
    }
    http.shutdownNow(); // close() would wait for the long polls
  }

  /** The long poll of one service and its subscribers. */
  private final class Feed {
    final String service;
    final List<Consumer<List<Endpoint>>> listeners = new CopyOnWriteArrayList<>();
    volatile List<Endpoint> last;
    private final Thread poller;
    private volatile boolean stopped;

    /** Asks once at once (the first list), then polls on a virtual thread. */
    Feed(String service) {
      this.service = service;
      Answer first = fetch(service, -1, Duration.ZERO);
      this.last = first == null ? List.of() : first.endpoints();
      long version = first == null ? -1 : first.version();
      this.poller =
          Thread.ofVirtual().name("discovery-" + service).start(() -> poll(Math.max(version, 0)));
    }

    private void poll(long initialVersion) {
      long version = initialVersion;
      while (!stopped && !closed) {
        Answer a = fetch(service, version, WAIT);
        if (stopped || closed) {
          return;
        }
        if (a == null || a.version() < 0) {
          try {
            Thread.sleep(RETRY);
          } catch (InterruptedException e) {
            return;
          }
          continue;
        }
        version = a.version();
        if (!a.endpoints().equals(last)) {
          last = a.endpoints();
          for (Consumer<List<Endpoint>> l : listeners) {
            try {
              l.accept(a.endpoints());
            } catch (RuntimeException e) {
              LOG.warn("a discovery listener of {} failed", service, e);
            }
          }
        }
      }
    }

    void stop() {
      stopped = true;
      poller.interrupt();
    }
  }
}
