package io.bulwark.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Test helpers: real HTTP on loopback, port checks, thread checks, a recording listener. */
final class Probe {
  private Probe() {}

  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpResponse<String> get(HttpClient client, int port, String path)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Binds {@code port} on loopback and releases it: proves nobody holds it. */
  static void assertFree(int port) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }

  /** Live threads that the runtime creates: Vert.x, the owned scheduler, instance loops. */
  static Set<Thread> runtimeThreads(String... instancePrefixes) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> isRuntimeThread(t.getName(), instancePrefixes))
        .collect(Collectors.toSet());
  }

  private static boolean isRuntimeThread(String name, String... prefixes) {
    if (name.startsWith("vert.x-")
        || name.startsWith("vertx-")
        || name.equals("bulwark-scheduler")) {
      return true;
    }
    for (String p : prefixes) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** Joins each of {@code threads} (generous bound) and returns the names of those still alive. */
  static List<String> survivors(Set<Thread> threads) throws InterruptedException {
    List<String> alive = new ArrayList<>();
    for (Thread t : threads) {
      if (!t.join(Duration.ofSeconds(10))) {
        alive.add(t.getName());
      }
    }
    return alive;
  }

  /** Records every lifecycle event as {@code event:instance[:detail]}. */
  static final class Recorder implements RuntimeListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onStarting(InstanceHandle instance) {
      events.add("starting:" + instance.id());
    }

    @Override
    public void onReady(InstanceHandle instance, int port, Duration took) {
      events.add("ready:" + instance.id());
    }

    @Override
    public void onStopped(InstanceHandle instance) {
      events.add("stopped:" + instance.id());
    }

    @Override
    public void onKilled(InstanceHandle instance) {
      events.add("killed:" + instance.id());
    }

    @Override
    public void onDeployed(InstanceHandle instance, String from, String to) {
      events.add("deployed:" + instance.id() + ":" + from + "->" + to);
    }

    @Override
    public void onFailed(InstanceHandle instance, Throwable cause) {
      events.add("failed:" + instance.id());
    }

    List<String> only(String event) {
      return events.stream().filter(e -> e.startsWith(event + ":")).toList();
    }
  }
}
