package io.bulwark.http.internal;

import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.ServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The server's guard on the wire of one plain-HTTP connection, for what Vert.x would otherwise
 * decide before any Bulwark code runs. Its first handler ({@code bulwarkBytes}) is put in the
 * channel's pipeline at accept, ahead of everything Vert.x adds; once Vert.x has told HTTP/1.x from
 * h2c by the first bytes, {@link Swap} puts the rest in place before those bytes are decoded (on an
 * HTTP/2 connection the guard stands aside):
 *
 * <ul>
 *   <li>{@code requestHeadTimeout}: a request head must be complete this long after its first byte,
 *       however steadily its bytes trickle in; else 408 and the close (slow-header attacks). The
 *       timer is armed only when a read ends with a head still incomplete, so a head that arrives
 *       whole costs nothing. An idle keep-alive connection is not waiting for a head: only {@code
 *       idleTimeout} applies to it.
 *   <li>A TLS handshake (first byte 0x16) on a plain port: 400 and the close.
 *   <li>A malformed chunk in a body: 400 and the close, when no answer to that request has begun.
 *   <li>The request decoder is {@link StrictRequestDecoder}: {@code content-length} beside {@code
 *       transfer-encoding: chunked} reaches {@link Framing} (400 and the close), and an HTTP
 *       version other than 1.0 and 1.1 becomes an invalid request (505).
 *   <li>A request asking for the h2c upgrade is vetted by {@link H2cUpgrade} (its upgrade ignored
 *       when it could not be switched safely). Once Vert.x has answered 101, the rest of that
 *       request's body still passes to Vert.x, which makes it HTTP/2 data; then the guard leaves.
 * </ul>
 *
 * <p>Answers written here bypass Vert.x (raw bytes, {@code connection: close}, then the close) and
 * are not in the access log. All state is confined to the connection's event loop, except the head
 * timer, which the injected {@link Scheduler} runs and which hands its work to that loop.
 *
 * <p>{@link AcceptHook} installs it at accept (see its design note on reaching Vert.x's listening
 * channel). Vert.x's protocol detector is found by its class name.
 */
// Netty reports a failed write or close on the channel (it closes); the guard never waits on them
@SuppressWarnings("FutureReturnValueIgnored")
final class Http1Guard {
  private static final String BYTES = "bulwarkBytes";
  private static final String DETECTOR = "io.vertx.core.http.impl.Http1xOrH2CHandler";
  private final ServerConfig config;
  private final HttpServerOptions options;
  private final Scheduler scheduler;
  private final ChannelPipeline pipeline;
  private final Bytes bytes = new Bytes();
  private final Swap swap = new Swap();
  private final Messages messages = new Messages();
  private boolean headInProgress;
  private boolean headArmed;
  private int headGeneration;
  private @Nullable ScheduledTask headTimer;
  private long requests;
  private long answersStarted;
  private long answersEnded;
  private boolean firstRead = true;
  private boolean swapPlaced;
  private boolean off;
  private boolean upgraded;
  private boolean answered;
  private @Nullable HttpProblem refusal;

  /**
   * Guards {@code child}, just accepted and not yet initialized by Vert.x: the guard becomes the
   * first handler of its pipeline. {@code refusal}: the answer for a connection beyond a limit.
   */
  static void install(
      Channel child,
      ServerConfig config,
      HttpServerOptions options,
      Scheduler scheduler,
      @Nullable HttpProblem refusal) {
    Http1Guard guard = new Http1Guard(config, options, scheduler, child.pipeline());
    guard.refusal = refusal;
    child.pipeline().addLast(BYTES, guard.bytes);
  }

  private Http1Guard(
      ServerConfig config,
      HttpServerOptions options,
      Scheduler scheduler,
      ChannelPipeline pipeline) {
    this.config = config;
    this.options = options;
    this.scheduler = scheduler;
    this.pipeline = pipeline;
  }

  // ---- raw bytes, before the decoder ----

  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      HttpProblem p = refusal;
      if (p != null) {
        refuse(ctx, p);
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (answered) {
        ReferenceCountUtil.release(msg); // the guard has answered and is closing: read no further
        if (refusal != null) {
          ctx.close(); // the client's request is read and dropped: the close cannot reset it
        }
        return;
      }
      if (off || !(msg instanceof ByteBuf buf) || !buf.isReadable()) {
        ctx.fireChannelRead(msg);
        return;
      }
      if (firstRead) {
        firstRead = false;
        if (buf.getByte(buf.readerIndex()) == 0x16) {
          buf.release();
          answerAndClose(
              HttpProblem.of(
                  400,
                  "tls_on_plain_port",
                  "a TLS handshake was sent to a plain HTTP port; use http:// or the TLS port"));
          return;
        }
      }
      if (!swapPlaced) {
        placeSwap();
      }
      if (answersEnded == requests) {
        headInProgress = true; // nothing in progress: these bytes begin a request head
      }
      ctx.fireChannelRead(msg);
      if (headInProgress && !headArmed && !off) {
        armHeadTimer();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      off = true;
      cancelHeadTimer();
      ctx.fireChannelInactive();
    }
  }

  /**
   * Puts {@link Swap} right after Vert.x's HTTP/1.x-or-h2c detector, so that it runs once Vert.x
   * has configured the connection and before the first byte reaches the request decoder. Until
   * Vert.x has put the detector in place (its pipeline set-up may trail the first read), this is
   * tried again on every read.
   */
  private void placeSwap() {
    for (java.util.Map.Entry<String, ChannelHandler> e : pipeline) {
      Class<?> type = e.getValue().getClass();
      Class<?> parent = type.getSuperclass();
      if (type.getName().startsWith(DETECTOR)
          || (parent != null && parent.getName().startsWith(DETECTOR))) {
        pipeline.addAfter(e.getKey(), "bulwarkSwap", swap);
        swapPlaced = true;
        return;
      }
    }
    if (pipeline.get("httpDecoder") != null) {
      // no detector but a decoder: bytes were decoded before the guard could see the messages
      // (not the case with h2c enabled, as the server configures it); stand aside
      swapPlaced = true;
      off = true;
    }
  }

  /** Runs once, on the first bytes after Vert.x chose the protocol. */
  private final class Swap extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (pipeline.get("httpDecoder") != null && pipeline.get("httpEncoder") != null) {
        pipeline.replace(
            "httpDecoder",
            "httpDecoder",
            new StrictRequestDecoder(
                config.maxInitialLineLength(), config.maxHeaderSize(), options));
        pipeline.addAfter("httpEncoder", "bulwarkMessages", messages);
      } else {
        off = true; // HTTP/2 (h2c with prior knowledge): framed by its own codec
        cancelHeadTimer();
      }
      pipeline.remove(this);
      ctx.fireChannelRead(msg);
    }
  }

  private void armHeadTimer() {
    headArmed = true;
    int generation = ++headGeneration;
    headTimer =
        scheduler.schedule(
            config.requestHeadTimeout(),
            () -> pipeline.channel().eventLoop().execute(() -> headExpired(generation)));
  }

  private void cancelHeadTimer() {
    ScheduledTask t = headTimer;
    headTimer = null;
    headArmed = false;
    headGeneration++;
    if (t != null) {
      t.cancel();
    }
  }

  private void headExpired(int generation) {
    if (off || generation != headGeneration || !headInProgress) {
      return;
    }
    HttpProblem p =
        HttpProblem.of(
            408,
            "request_head_timeout",
            "request head not complete within requestHeadTimeout "
                + config.requestHeadTimeout().toMillis()
                + "ms");
    if (answersStarted == answersEnded) {
      answerAndClose(p);
    } else {
      off = true; // an answer is being written: no room for another one
      pipeline.channel().close();
    }
  }

  /**
   * A connection beyond a connection limit: the answer goes out at once, before any byte is read;
   * the output is then shut, and the connection closes on the client's first bytes (read and
   * dropped) or after {@code requestHeadTimeout}, whichever comes first: closing at once, with a
   * request possibly in flight, could reset the connection before the client has read the answer.
   */
  private void refuse(ChannelHandlerContext ctx, HttpProblem p) {
    off = true;
    answered = true;
    ctx.writeAndFlush(raw(p))
        .addListener(
            f -> {
              if (ctx.channel() instanceof io.netty.channel.socket.SocketChannel sc) {
                sc.shutdownOutput();
              }
            });
    scheduler.schedule(
        config.requestHeadTimeout(), () -> pipeline.channel().eventLoop().execute(this::close));
  }

  private void close() {
    pipeline.channel().close();
  }

  /** Writes {@code p} as a complete HTTP/1.1 answer in raw bytes and closes the connection. */
  private void answerAndClose(HttpProblem p) {
    off = true;
    answered = true;
    cancelHeadTimer();
    ChannelHandlerContext raw = pipeline.context(bytes);
    if (raw == null) {
      pipeline.channel().close();
      return;
    }
    raw.writeAndFlush(raw(p)).addListener(ChannelFutureListener.CLOSE);
  }

  private static ByteBuf raw(HttpProblem p) {
    String id = CorrelationIds.newId();
    byte[] body = Json.errorBody(p.status(), p.code(), p.getMessage(), id);
    String head =
        "HTTP/1.1 "
            + p.status()
            + " "
            + io.netty.handler.codec.http.HttpResponseStatus.valueOf(p.status()).reasonPhrase()
            + "\r\ncontent-type: application/json\r\ncontent-length: "
            + body.length
            + "\r\n"
            + ContextHeaders.CORRELATION_ID
            + ": "
            + id
            + (p.retryAfter() == null ? "" : "\r\nretry-after: " + p.retryAfter())
            + "\r\nconnection: close\r\n\r\n";
    ByteBuf out = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.ISO_8859_1), body);
    return out;
  }

  // ---- decoded messages in, answers out (between the codec and Vert.x) ----

  private final class Messages extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (upgraded) {
        upgradeBody(ctx, msg);
        return;
      }
      if (off) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpRequest req) {
        requests++;
        H2cUpgrade.vet(req);
      }
      if (msg instanceof HttpRequest || msg instanceof LastHttpContent) {
        // a head is complete, or the bytes were the rest of a body already answered (a health
        // probe answers before its body arrives): either way no head is pending
        headInProgress = false;
        cancelHeadTimer();
      }
      if (!(msg instanceof HttpRequest)
          && msg instanceof HttpContent content
          && content.decoderResult().isFailure()) {
        content.release();
        if (answersStarted == requests - 1 && answersEnded == answersStarted) {
          answerAndClose(
              HttpProblem.of(
                  400, "malformed_chunk", "malformed chunked request body: " + reason(content)));
        } else {
          off = true;
          ctx.channel().close();
        }
        return;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse r) {
        answersStarted++;
        if (r.status().code() == 101) {
          // upgraded (h2c): no HTTP/1.x request follows; the upgrade request's body is still to
          // come through the decoder and must reach Vert.x, which turns it into HTTP/2 DATA
          off = true;
          upgraded = true;
          cancelHeadTimer();
        }
      }
      if (msg instanceof LastHttpContent) {
        answersEnded++;
      }
      ctx.write(msg, promise);
    }
  }

  /**
   * After a 101, the rest of the upgrade request (its body, then whatever the decoder still holds)
   * passes on to Vert.x's upgrade handler. A malformed chunk can no longer be answered in HTTP/1.x
   * (the 101 is out) and would leave the stream without its end: the connection closes. Once the
   * body has ended the decoder is gone and the guard leaves the pipeline.
   */
  private void upgradeBody(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      content.release();
      ctx.channel().close();
      return;
    }
    ctx.fireChannelRead(msg);
    if (msg instanceof LastHttpContent && ctx.pipeline().context(messages) != null) {
      ctx.pipeline().remove(messages);
    }
  }

  private static String reason(HttpContent content) {
    Throwable cause = content.decoderResult().cause();
    String m = cause == null ? null : cause.getMessage();
    return m == null ? "bad chunk size" : m;
  }
}
