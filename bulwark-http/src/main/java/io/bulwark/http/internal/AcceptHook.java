package io.bulwark.http.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.ServerConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.lang.reflect.Field;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hook that puts {@link Http1Guard} on every connection a plain-HTTP server accepts, and counts
 * the connection against the limits ({@link ConnectionGuard#accepted}) at accept.
 *
 * <p>Design note: Vert.x 5 has no public hook between accept and the first decoded request (its
 * connection handler runs only then). This class therefore reaches the listening Netty channel
 * through private fields of Vert.x's {@code HttpServerImpl} and {@code NetServerImpl} (by
 * reflection, only here, pinned by the tests to the Vert.x version of the build) and adds a handler
 * there, which sees each accepted channel before Vert.x initializes it. Where these fields cannot
 * be reached (another Vert.x version, Vert.x on the module path) {@link #available()} or {@link
 * #attach} is false: the server then runs without the guard and logs a warning.
 */
final class AcceptHook {
  private static final Logger LOG = LoggerFactory.getLogger(AcceptHook.class);
  private static final String ACCEPT = "bulwarkAccept";
  private static final @Nullable Field TCP_SERVER =
      field("io.vertx.core.http.impl.HttpServerImpl", "tcpServer");
  private static final @Nullable Field ACTUAL_SERVER =
      field("io.vertx.core.net.impl.NetServerImpl", "actualServer");
  private static final @Nullable Field SERVER_CHANNEL =
      TCP_SERVER == null || ACTUAL_SERVER == null
          ? null
          : field("io.vertx.core.net.impl.NetServerImpl", "bindFuture");

  private AcceptHook() {}

  /** Whether connections can be guarded in this runtime (see the design note). */
  static boolean available() {
    return SERVER_CHANNEL != null;
  }

  /**
   * Guards every connection {@code server} (listening, plain HTTP) accepts from now on; servers
   * sharing a port share one listening channel, which is hooked once. Returns false when the
   * listening channel cannot be reached.
   */
  static boolean attach(
      HttpServer server,
      ServerConfig config,
      HttpServerOptions options,
      Scheduler scheduler,
      ConnectionGuard connections) {
    Channel listening = listeningChannel(server);
    if (listening == null) {
      return false;
    }
    ChannelPipeline p = listening.pipeline();
    // on the listening channel's own loop, and waited for: added from another thread, the hook
    // would stay inactive until that loop ran its task queue, after the first batch of accepts
    listening
        .eventLoop()
        .submit(
            () -> {
              if (p.get(ACCEPT) == null) {
                p.addFirst(ACCEPT, new Acceptor(config, options, scheduler, connections));
              }
            })
        .syncUninterruptibly();
    return true;
  }

  /**
   * Sees each accepted channel before Vert.x initializes it, so that the guard is the first handler
   * of its pipeline.
   */
  @ChannelHandler.Sharable
  private static final class Acceptor extends ChannelInboundHandlerAdapter {
    private final ServerConfig config;
    private final HttpServerOptions options;
    private final Scheduler scheduler;
    private final ConnectionGuard connections;

    Acceptor(
        ServerConfig config,
        HttpServerOptions options,
        Scheduler scheduler,
        ConnectionGuard connections) {
      this.config = config;
      this.options = options;
      this.scheduler = scheduler;
      this.connections = connections;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel child) {
        Http1Guard.install(
            child, config, options, scheduler, connections.accepted(addressOf(child), child));
      }
      ctx.fireChannelRead(msg);
    }

    private static String addressOf(Channel child) {
      return child.remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
          ? a.getAddress().getHostAddress()
          : String.valueOf(child.remoteAddress());
    }
  }

  private static @Nullable Channel listeningChannel(HttpServer server) {
    Field f = SERVER_CHANNEL;
    if (f == null) {
      return null;
    }
    try {
      Object tcp = TCP_SERVER == null ? null : TCP_SERVER.get(server);
      Object actual = tcp == null || ACTUAL_SERVER == null ? null : ACTUAL_SERVER.get(tcp);
      Object bound = actual == null ? null : f.get(actual);
      if (bound instanceof io.vertx.core.Future<?> future
          && future.result() instanceof Channel channel) {
        return channel;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("cannot reach the listening channel of {}", server, e);
    }
    return null;
  }

  private static @Nullable Field field(String className, String name) {
    try {
      Field f = Class.forName(className).getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "no access to Vert.x's {}.{} (Vert.x on the module path, or another version): HTTP/1.x"
              + " connections get no request-head timeout, and every chunked HTTP/1.1 request"
              + " closes its connection",
          className,
          name,
          e);
      return null;
    }
  }
}
