package io.bulwark.bench.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * A constant-rate, open-loop load generator that is safe from coordinated omission: request {@code
 * k} has the intended start time {@code start + k / rate}, is sent as soon as that time has passed
 * whatever happened to earlier requests (they may still be waiting for a connection or an answer),
 * and its latency is measured from the intended start, not from when it was sent. A stalled server
 * therefore shows as a queue of late requests, each charged its whole wait, rather than as a pause
 * in the load. Latencies go into an HdrHistogram (3 significant digits).
 *
 * <p>It is kept lean because it shares the machine's cores with what it measures: one Netty event
 * loop (native epoll where it loads, else NIO) both paces and does the I/O, waking on its own timer
 * at each due time, so no thread hands requests to another. Each request is the same pre-encoded
 * {@code GET /} (one write of shared bytes, no per-request encoding); answers go through Netty's
 * HTTP/1.1 response decoder (Content-Length and chunked bodies), and anything but a 200 or a broken
 * connection counts as an error. Per target port it keeps a keep-alive pool of at most {@code
 * connections} HTTP/1.1 connections, no pipelining, opened when a request finds none idle (the most
 * recently used idle one is taken first), and an unbounded wait queue in intended order.
 */
final class OpenLoop implements AutoCloseable {
  /** One run: latency percentiles in microseconds, from the intended start. */
  record Result(long requests, long errors, double achievedRate, Histogram histogram) {
    double micros(double percentile) {
      return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Several runs at one rate as one: histograms added, rate averaged. */
    static Result merge(java.util.List<Result> runs) {
      Histogram all = new Histogram(MAX_TRACKED_NANOS, 3);
      long requests = 0;
      long errors = 0;
      double rate = 0;
      for (Result r : runs) {
        all.add(r.histogram());
        requests += r.requests();
        errors += r.errors();
        rate += r.achievedRate() / runs.size();
      }
      return new Result(requests, errors, rate, all);
    }
  }

  private static final long MAX_TRACKED_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * With {@code -Dbulwark.bench.openloop.trace=FILE}, every measured request is appended to FILE as
   * a line {@code port intended sent done} ({@code System.nanoTime()}, i.e. CLOCK_MONOTONIC, so a
   * {@code perf record -k mono} timeline lines up with it): for finding what a slow request met.
   */
  private static final @Nullable String TRACE = System.getProperty("bulwark.bench.openloop.trace");

  private final int connections;
  private final MultiThreadIoEventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap bootstrap;

  /** Per target port; touched only on the loop. */
  private final Map<Integer, Pool> pools = new HashMap<>();

  /** The run in progress, if any; touched only on the loop. */
  private @Nullable Run current;

  OpenLoop(int connections) {
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be at least 1, was " + connections);
    }
    this.connections = connections;
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(1, io);
    this.loop = group.next();
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
  }

  /**
   * Sends {@code rate} GET requests per second to {@code 127.0.0.1:port/} for {@code warmupSeconds
   * + seconds}; only requests whose intended start falls in the last {@code seconds} are recorded.
   */
  Result run(int port, int rate, int warmupSeconds, int seconds) throws Exception {
    if (rate < 1) {
      throw new IllegalArgumentException("rate must be at least 1 request/s, was " + rate);
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    long total = (long) rate * (warmupSeconds + seconds);
    Run run = new Run(port, rate, warmupSeconds, total);
    loop.execute(run::begin);
    run.done.get(warmupSeconds + seconds + 120L, TimeUnit.SECONDS);
    run.writeTrace();
    long measured = run.histogram.getTotalCount();
    return new Result(measured, run.errors, (double) measured / seconds, run.histogram);
  }

  /** One request waiting for a connection: its intended start. */
  private record Pending(long intended) {}

  /** The keep-alive connections to one port. Touched only on the loop. */
  private final class Pool {
    final int port;
    final ByteBuf request;
    final ArrayDeque<Conn> idle = new ArrayDeque<>();
    int open;

    Pool(int port) {
      this.port = port;
      byte[] head =
          ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      this.request =
          Unpooled.unreleasableBuffer(Unpooled.directBuffer(head.length).writeBytes(head));
    }

    /** Sends on an idle connection, opens one if the pool has room, else the request waits. */
    void offer(Run run, long intended) {
      Conn c = idle.pollFirst();
      if (c != null) {
        c.send(run, intended);
        return;
      }
      run.waiting.addLast(new Pending(intended));
      if (open < connections) {
        open++;
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpResponseDecoder(), new Conn(Pool.this));
                  }
                })
            .connect("127.0.0.1", port)
            .addListener(
                (ChannelFutureListener)
                    f -> {
                      if (!f.isSuccess()) {
                        open--;
                        Run r = current;
                        if (r != null && r.port == port) {
                          r.connectFailed();
                        }
                      }
                    });
      }
    }
  }

  /** One connection's handler: at most one request outstanding on it. */
  private final class Conn extends SimpleChannelInboundHandler<HttpObject> {
    final Pool pool;
    @Nullable Channel channel;

    /** Intended start of the outstanding request, or -1 when idle. */
    long intended = -1;

    long sent;
    boolean ok;
    @Nullable Run run;

    Conn(Pool pool) {
      this.pool = pool;
    }

    void send(Run r, long intendedStart) {
      run = r;
      intended = intendedStart;
      ok = false;
      sent = TRACE == null ? 0 : System.nanoTime();
      java.util.Objects.requireNonNull(channel).writeAndFlush(pool.request.duplicate());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      released();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse response) {
        ok = response.decoderResult().isSuccess() && response.status().code() == 200;
      }
      if (msg instanceof LastHttpContent) {
        Run r = run;
        long start = intended;
        intended = -1;
        run = null;
        if (r != null) {
          r.answered(start, sent, ok && msg.decoderResult().isSuccess());
        }
        released();
      }
    }

    /** Takes the oldest waiting request of the current run, or goes idle. */
    private void released() {
      Run r = current;
      if (r != null && r.port == pool.port && !r.waiting.isEmpty()) {
        send(r, r.waiting.pollFirst().intended());
      } else {
        pool.idle.addFirst(this);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      pool.idle.remove(this);
      pool.open--;
      Run r = run;
      run = null;
      if (r != null) {
        r.answered(intended, sent, false);
      }
      intended = -1;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The state of one run; every field but the constants is touched only on the loop. */
  private final class Run {
    final int port;
    final long periodNanos;
    final long total;
    final Histogram histogram = new Histogram(MAX_TRACKED_NANOS, 3);
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    long start;
    long measureFrom;
    final long warmupNanos;
    long[] trace = TRACE == null ? new long[0] : new long[3 * 4096];
    int traced;
    long next;
    long outstanding;
    long errors;
    @Nullable Pool pool;

    Run(int port, int rate, int warmupSeconds, long total) {
      this.port = port;
      this.periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      this.total = total;
      this.warmupNanos = TimeUnit.SECONDS.toNanos(warmupSeconds);
    }

    void begin() {
      current = this;
      pool = pools.computeIfAbsent(port, Pool::new);
      start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      measureFrom = start + warmupNanos;
      schedule();
    }

    /** Sends every request whose intended start has passed, then sleeps until the next one. */
    void tick() {
      long now = System.nanoTime();
      long due = now < start ? 0 : Math.min(total, (now - start) / periodNanos + 1);
      Pool p = java.util.Objects.requireNonNull(pool);
      while (next < due) {
        outstanding++;
        p.offer(this, start + next * periodNanos);
        next++;
      }
      if (next < total) {
        schedule();
      } else {
        maybeDone();
      }
    }

    private void schedule() {
      long delay = start + next * periodNanos - System.nanoTime();
      loop.schedule(this::tick, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    void answered(long intended, long sent, boolean ok) {
      long doneAt = System.nanoTime();
      outstanding--;
      if (!ok) {
        errors++;
      } else if (intended >= measureFrom) {
        long latency = doneAt - intended;
        histogram.recordValue(Math.min(latency, MAX_TRACKED_NANOS));
        if (TRACE != null) {
          trace(intended, sent, doneAt);
        }
      }
      maybeDone();
    }

    /** A connection could not be opened: the oldest waiting request fails rather than waits. */
    void connectFailed() {
      Pending p = waiting.pollFirst();
      if (p != null) {
        answered(p.intended(), 0, false);
      }
    }

    private void trace(long intended, long sent, long doneAt) {
      if (traced + 3 > trace.length) {
        trace = java.util.Arrays.copyOf(trace, trace.length * 2);
      }
      trace[traced++] = intended;
      trace[traced++] = sent;
      trace[traced++] = doneAt;
    }

    void writeTrace() {
      if (TRACE == null) {
        return;
      }
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < traced; i += 3) {
        b.append(port).append(' ').append(trace[i]).append(' ').append(trace[i + 1]).append(' ');
        b.append(trace[i + 2]).append('\n');
      }
      try {
        java.nio.file.Files.writeString(
            java.nio.file.Path.of(TRACE),
            b,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private void maybeDone() {
      if (next >= total && outstanding == 0 && current == this) {
        current = null;
        done.complete(null);
      }
    }
  }

  @Override
  public void close() throws Exception {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    loop.execute(
        () -> {
          for (Pool p : pools.values()) {
            for (Conn c : p.idle) {
              if (c.channel != null) {
                c.channel.close();
              }
            }
          }
          closed.complete(null);
        });
    closed.get(10, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
  }
}
