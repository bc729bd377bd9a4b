package io.bulwark.gateway.internal;

import io.bulwark.gateway.ClusterConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.transport.Transport;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's keep-alive HTTP/1.1 connections to one cluster, per endpoint: Netty channels
 * registered on that same loop, so an exchange's reads and writes never leave the thread that
 * serves its client, and taking a connection costs no lock, no future and no task. Like NGINX's
 * per-worker {@code keepalive} pool: at most {@code pool-size} connections per endpoint on each
 * loop, the most recently used idle one first; a request that finds none idle and the pool full
 * waits in line (at most 64 × {@code pool-size} waiters, then it fails at once). An idle connection
 * unused for {@code idle-timeout} is closed by a sweep on the loop (at most a quarter of the
 * timeout late), so the pool never keeps sockets an upstream may already have dropped.
 *
 * <p>Confined to its event loop: every method runs on it (the data path's exchanges do), except
 * {@link #close}, which hands itself to the loop.
 */
final class Http1Pool {
  /** Who waits for a connection: told exactly once. */
  interface Waiter {
    void ready(Http1Exchange exchange);

    /** No connection: {@code connect} is true when connecting failed (the request never left). */
    void failed(Throwable cause, boolean connect);
  }

  private final EventLoop loop;
  private final Transport transport;
  private final ClusterConfig config;
  private final Map<SocketAddress, Endpoint> endpoints = new HashMap<>();
  private final Http1Pools stats;
  private final long idleNanos;
  private final io.netty.util.concurrent.ScheduledFuture<?> sweeper;
  private boolean closed;

  Http1Pool(EventLoop loop, Transport transport, ClusterConfig config, Http1Pools stats) {
    this.loop = loop;
    this.transport = transport;
    this.config = config;
    this.stats = stats;
    this.idleNanos = config.idleTimeout().toNanos();
    long period =
        Math.clamp(idleNanos / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(5));
    this.sweeper = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
  }

  /** Closes the connections idle for {@code idle-timeout} or longer (the oldest are last). */
  private void sweep() {
    long now = System.nanoTime();
    for (Endpoint e : endpoints.values()) {
      e.closeIdleSince(now - idleNanos);
    }
  }

  EventLoop loop() {
    return loop;
  }

  /**
   * Hands {@code waiter} an exchange on a connection to {@code server}, now if one is idle. The
   * exchange sends {@code method uri} with {@code Host: authority}.
   */
  void acquire(
      SocketAddress server, HttpMethod method, String uri, String authority, Waiter waiter) {
    if (closed) {
      waiter.failed(new ConnectException("the cluster's pool is closed"), true);
      return;
    }
    Endpoint e = endpoints.get(server);
    if (e == null) {
      e = new Endpoint(server);
      endpoints.put(server, e);
    }
    e.acquire(new Ask(method, uri, authority, waiter));
  }

  /** Closes idle connections now and busy ones when their exchange ends. */
  void close() {
    try {
      loop.execute(
          () -> {
            closed = true;
            sweeper.cancel(false);
            for (Endpoint e : endpoints.values()) {
              e.closeAll();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the event loop is shut down already: its channels are closed with it
    }
  }

  /** The connections (idle and busy), for tests. */
  int connections() {
    int n = 0;
    for (Endpoint e : endpoints.values()) {
      n += e.open;
    }
    return n;
  }

  private record Ask(HttpMethod method, String uri, String authority, Waiter waiter) {}

  /** One endpoint's connections on this loop. */
  final class Endpoint {
    private final SocketAddress server;
    private final Bootstrap bootstrap;
    private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
    private final ArrayDeque<Ask> waiting = new ArrayDeque<>();
    private int open; // connected or connecting

    Endpoint(SocketAddress server) {
      this.server = server;
      this.bootstrap =
          new Bootstrap()
              .group(loop)
              .channelFactory(transport.channelFactory(false))
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.SO_KEEPALIVE, true)
              .option(
                  ChannelOption.CONNECT_TIMEOUT_MILLIS,
                  (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
              .handler(
                  new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      Http1Connection.install(ch, Endpoint.this);
                    }
                  });
    }

    void acquire(Ask ask) {
      Http1Connection c = idle.pollFirst();
      if (c != null) {
        lend(c, ask);
        return;
      }
      if (open < config.poolSize()) {
        open++;
        waiting.addLast(ask);
        connect();
        return;
      }
      if (waiting.size() >= config.poolSize() * 64) {
        ask.waiter()
            .failed(
                new ConnectException(
                    "cluster " + config.name() + ": " + waiting.size() + " requests wait already"),
                false);
        return;
      }
      waiting.addLast(ask);
    }

    private void connect() {
      ChannelFuture f = bootstrap.connect(transport.convert(server));
      f.addListener(
          done -> {
            if (done.isSuccess()) {
              Http1Connection c = f.channel().pipeline().get(Http1Connection.class);
              if (c != null) {
                stats.connections.incrementAndGet();
                released(c); // the oldest waiter takes it
              }
              return;
            }
            open--;
            Ask first = waiting.pollFirst();
            if (first != null) {
              Throwable cause = done.cause();
              first
                  .waiter()
                  .failed(cause == null ? new ConnectException("connect failed") : cause, true);
            }
            if (!waiting.isEmpty() && open < config.poolSize() && !closed) {
              open++;
              connect(); // the others get a fresh try
            }
          });
    }

    private void lend(Http1Connection c, Ask ask) {
      stats.exchanges.increment();
      ask.waiter().ready(c.begin(ask.method(), ask.uri(), ask.authority()));
    }

    /** {@code c} finished an exchange and may serve another. */
    void released(Http1Connection c) {
      if (closed || !c.channel().isActive()) {
        c.close();
        return;
      }
      Ask next = waiting.pollFirst();
      if (next != null) {
        lend(c, next);
      } else {
        c.idleSince = System.nanoTime();
        idle.addFirst(c); // most recently used first: the others may time out at the upstream
      }
    }

    /** {@code c}'s channel closed (by either side). */
    void closed(Http1Connection c) {
      open--;
      stats.connections.decrementAndGet();
      idle.remove(c);
      if (!waiting.isEmpty() && open < config.poolSize() && !closed) {
        open++;
        connect();
      }
    }

    /** Closes the idle connections that went idle at or before {@code cutoff}. */
    void closeIdleSince(long cutoff) {
      Http1Connection c;
      while ((c = idle.peekLast()) != null && c.idleSince - cutoff <= 0) {
        idle.pollLast();
        c.close(); // its channelInactive counts it out
      }
    }

    void closeAll() {
      for (Http1Connection c : List.copyOf(idle)) {
        c.close();
      }
      Ask a;
      while ((a = waiting.pollFirst()) != null) {
        a.waiter().failed(new ConnectException("the cluster's pool is closed"), true);
      }
    }

    boolean poolClosed() {
      return closed;
    }
  }
}
