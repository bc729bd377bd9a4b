package io.bulwark.runtime.internal;

import io.bulwark.chaos.NetworkPartitioner;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.RuntimeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The in-process network partitions between services. A partition cuts both directions: every
 * instance of one service sees the other through its discovery view ({@link PartitionedDiscovery})
 * as unreachable — {@link Mode#FAIL}: no endpoint, so calls fail at once; {@link Mode#HANG}: one
 * endpoint, a loopback tarpit that accepts connections and never answers, so calls hang until the
 * caller's timeout or deadline. Healing pushes the real endpoints back to every view. Thread-safe.
 */
final class Partitions implements NetworkPartitioner {
  private final Set<String> services;
  private final Map<Set<String>, Mode> cuts = new ConcurrentHashMap<>();
  private final List<Runnable> views = new CopyOnWriteArrayList<>();
  private final ReentrantLock tarpitLock = new ReentrantLock();
  private volatile @Nullable Tarpit tarpit;

  /** Where a cut or a heal is reported: the runtime's event feed (timelines, dashboards). */
  interface Events {
    void report(RuntimeEvent.Kind kind, String service, String detail);
  }

  private final Events events;

  Partitions(Set<String> services, Events events) {
    this.services = Set.copyOf(services);
    this.events = events;
  }

  @Override
  public void partition(String a, String b, Mode mode) {
    check(a);
    check(b);
    if (a.equals(b)) {
      throw new IllegalArgumentException("cannot partition service " + a + " from itself");
    }
    if (mode == Mode.HANG) {
      tarpit(); // opened before any view points at it
    }
    cuts.put(Set.of(a, b), mode);
    views.forEach(Runnable::run);
    events.report(RuntimeEvent.Kind.PARTITIONED, a, a + " <-> " + b + " cut (" + mode + ")");
  }

  @Override
  public void heal(String a, String b) {
    if (cuts.remove(Set.of(a, b)) != null) {
      views.forEach(Runnable::run);
      events.report(RuntimeEvent.Kind.HEALED, a, a + " <-> " + b + " healed");
    }
  }

  @Override
  public void healAll() {
    if (!cuts.isEmpty()) {
      List<Set<String>> healed = List.copyOf(cuts.keySet());
      cuts.clear();
      views.forEach(Runnable::run);
      for (Set<String> link : healed) {
        List<String> ends = link.stream().sorted().toList();
        events.report(
            RuntimeEvent.Kind.HEALED,
            ends.getFirst(),
            ends.getFirst() + " <-> " + ends.getLast() + " healed");
      }
    }
  }

  /** The mode of the partition between {@code a} and {@code b}, or null if they are connected. */
  @Nullable Mode between(String a, String b) {
    return cuts.isEmpty() ? null : cuts.get(Set.of(a, b));
  }

  /** Registers a view to refresh on every change; the returned handle removes it. */
  Runnable watch(Runnable view) {
    views.add(view);
    return () -> views.remove(view);
  }

  private void check(String service) {
    if (!services.contains(service)) {
      throw new IllegalArgumentException(
          "unknown service \"" + service + "\" to partition; the system has " + services);
    }
  }

  Endpoint tarpit() {
    Tarpit t = tarpit;
    if (t != null) {
      return t.endpoint;
    }
    tarpitLock.lock();
    try {
      if (tarpit == null) {
        tarpit = new Tarpit();
      }
      return tarpit.endpoint;
    } finally {
      tarpitLock.unlock();
    }
  }

  /** Heals everything and closes the tarpit (with the runtime). */
  void close() {
    cuts.clear();
    Tarpit t = tarpit;
    if (t != null) {
      t.close();
    }
  }

  /** Accepts connections on loopback and never answers, until closed. */
  private static final class Tarpit {
    final ServerSocket server;
    final Endpoint endpoint;
    final List<Socket> held = new CopyOnWriteArrayList<>();

    Tarpit() {
      try {
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the partition tarpit on loopback", e);
      }
      int port = server.getLocalPort();
      endpoint =
          new Endpoint(
              "partitioned:" + port,
              InetAddress.getLoopbackAddress().getHostAddress(),
              port,
              null,
              Map.of());
      Thread.ofVirtual().name("partition-tarpit").start(this::accept);
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          held.add(server.accept());
        } catch (IOException closed) {
          return;
        }
      }
    }

    void close() {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      for (Socket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }
}
