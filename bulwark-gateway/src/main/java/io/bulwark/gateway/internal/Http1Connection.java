package io.bulwark.gateway.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One keep-alive HTTP/1.1 connection of an {@link Http1Pool}: serves one {@link Http1Exchange} at a
 * time (no pipelining) and goes back to its pool when the answer has ended and the request was sent
 * whole; any other ending (the upstream's {@code Connection: close}, HTTP/1.0, a reset, a decoding
 * error) closes it. Runs on its channel's event loop only.
 *
 * <p>Header values are checked as they are encoded: a CR, LF or NUL, or a character outside
 * ISO-8859-1, fails the exchange before its head leaves (the Vert.x client checks each insert; this
 * checks each header once, in the pass that writes it).
 */
final class Http1Connection extends ChannelInboundHandlerAdapter {
  private final Channel channel;
  private final Http1Pool.Endpoint home;
  private final Decoder decoder;
  private @Nullable Http1Exchange current;
  private @Nullable Throwable failure;
  private boolean skipping; // the rest of an informational (1xx) answer
  private boolean keepAlive = true;
  private int served; // exchanges begun on this connection

  /** When the connection last went back to its pool's idle list ({@link System#nanoTime}). */
  long idleSince;

  private Http1Connection(Channel channel, Http1Pool.Endpoint home, Decoder decoder) {
    this.channel = channel;
    this.home = home;
    this.decoder = decoder;
  }

  static void install(Channel ch, Http1Pool.Endpoint home) {
    Decoder d = new Decoder();
    ch.pipeline().addLast(d, new Encoder(), new Http1Connection(ch, home, d));
  }

  Channel channel() {
    return channel;
  }

  /**
   * Writes {@code msg} without a promise of its own: a failure (a refused header) reaches {@link
   * #exceptionCaught}, which closes the connection and fails the exchange.
   */
  void send(Object msg, boolean flush) {
    ChannelFuture unused =
        flush
            ? channel.writeAndFlush(msg, channel.voidPromise())
            : channel.write(msg, channel.voidPromise());
  }

  /** Closes the connection; its exchange, if any, learns it from {@link #channelInactive}. */
  void close() {
    ChannelFuture unused = channel.close();
  }

  /** Starts the next exchange on this (idle) connection. */
  Http1Exchange begin(HttpMethod method, String uri, String authority) {
    decoder.head = HttpMethod.HEAD.equals(method);
    skipping = false;
    Http1Exchange x = new Http1Exchange(this, method, uri, authority, served++ == 0);
    current = x;
    return x;
  }

  /** {@code x} ended (answer complete and request sent): back to the pool, or closed. */
  void finished(Http1Exchange x, boolean reusable) {
    if (current != x) {
      return;
    }
    current = null;
    if (reusable && keepAlive) {
      if (!channel.config().isAutoRead()) {
        channel.config().setAutoRead(true); // paused by a slow client, then ended
      }
      home.released(this);
    } else {
      close();
    }
  }

  /** {@code x} is abandoned: the connection cannot be reused. */
  void abandon(Http1Exchange x) {
    if (current == x) {
      current = null;
      close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      read(msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void read(Object msg) {
    Http1Exchange x = current;
    if (msg instanceof HttpMessage m && m.decoderResult().isFailure()) {
      fail(m.decoderResult().cause());
      return;
    }
    if (msg instanceof HttpResponse r) {
      int status = r.status().code();
      if (status >= 100 && status < 200 && status != 101) {
        skipping = true; // an informational answer (100 Continue...): not forwarded
        return;
      }
      skipping = false;
      if (x == null) {
        fail(new IOException("the upstream answered without a request"));
        return;
      }
      keepAlive = status != 101 && HttpUtil.isKeepAlive(r);
      x.head(r);
    }
    if (msg instanceof HttpContent c) {
      if (c.decoderResult().isFailure()) {
        fail(c.decoderResult().cause());
        return;
      }
      if (skipping) {
        skipping = !(msg instanceof LastHttpContent);
        return;
      }
      if (x == null) {
        return;
      }
      ByteBuf content = c.content();
      if (content.isReadable()) {
        x.chunk(content, msg instanceof LastHttpContent);
      }
      if (msg instanceof LastHttpContent) {
        x.answerEnded();
      }
    }
  }

  private void fail(Throwable cause) {
    failure = cause;
    close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Http1Exchange x = current;
    if (x != null && channel.isWritable()) {
      x.drained();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Http1Exchange x = current;
    current = null;
    home.closed(this);
    if (x != null) {
      Throwable cause = failure;
      x.connectionLost(
          cause != null
              ? cause
              : new IOException("the upstream closed the connection before its answer ended"));
    }
  }

  /** The response decoder; knows when the request was a HEAD (an answer without a body). */
  private static final class Decoder extends HttpResponseDecoder {
    /**
     * Heads and trailers as {@link HeaderList}s: a flat list per answer instead of a hash map with
     * an entry per header. The decoder's own name check goes with Netty's map; every header that is
     * forwarded is checked (name and value) as it is put on the client's response.
     */
    private static final HttpHeadersFactory HEADS =
        new HttpHeadersFactory() {
          @Override
          public HttpHeaders newHeaders() {
            return HeaderList.decoded(8); // an answer's head: its array grows past 8 if need be
          }

          @Override
          public HttpHeaders newEmptyHeaders() {
            return HeaderList.decoded(4); // trailers: no array unless one arrives
          }
        };

    boolean head;

    Decoder() {
      super(new HttpDecoderConfig().setHeadersFactory(HEADS).setTrailersFactory(HEADS));
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      return head || super.isContentAlwaysEmpty(msg);
    }
  }

  /** The request encoder, checking each header as it writes it. */
  static final class Encoder extends HttpRequestEncoder {
    /**
     * The header block is checked and converted into this array (one per connection, used on its
     * event loop only), then copied into the outbound buffer at once: a byte-by-byte write into the
     * pooled direct buffer costs a bounds and session check per byte. Nothing reaches the buffer
     * when a header is refused.
     */
    private byte[] scratch = new byte[512];

    private int length;

    private static final byte[] VERSION_CRLF =
        " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The request line of an origin-form ASCII target (what the gateway sends) goes out as one
     * copy; anything else takes Netty's path, which writes the same bytes one at a time.
     */
    @Override
    protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
      String uri = request.uri();
      if (uri.isEmpty()
          || uri.charAt(0) != '/'
          || !HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
        super.encodeInitialLine(buf, request);
        return;
      }
      AsciiString method = request.method().asciiName();
      length = 0;
      room(method.length() + uri.length() + 1 + VERSION_CRLF.length);
      byte[] out = scratch;
      int at = length;
      for (int i = 0; i < method.length(); i++) {
        out[at++] = method.byteAt(i);
      }
      out[at++] = ' ';
      for (int i = 0; i < uri.length(); i++) {
        char c = uri.charAt(i);
        if (c >= 0x80) { // UTF-8 needs more than one byte: Netty's encoder
          super.encodeInitialLine(buf, request);
          return;
        }
        out[at++] = (byte) c;
      }
      System.arraycopy(VERSION_CRLF, 0, out, at, VERSION_CRLF.length);
      at += VERSION_CRLF.length;
      buf.writeBytes(out, 0, at);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      length = 0;
      if (headers instanceof HeaderList list) { // the gateway's own heads: by index, no entries
        for (int i = 0; i < list.size(); i++) {
          header(list.nameAt(i), list.valueAt(i));
        }
        buf.writeBytes(scratch, 0, length);
        return;
      }
      Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> h = it.next();
        header(h.getKey(), h.getValue());
      }
      buf.writeBytes(scratch, 0, length);
    }

    /** Checks and appends one header line to the scratch array. */
    private void header(CharSequence name, CharSequence value) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("an empty header name");
      }
      room(name.length() + value.length() + 4);
      writeChecked(name, name, true);
      scratch[length++] = ':';
      scratch[length++] = ' ';
      writeChecked(name, value, false);
      scratch[length++] = '\r';
      scratch[length++] = '\n';
    }

    private void room(int more) {
      int need = length + more;
      if (need > scratch.length) {
        scratch = java.util.Arrays.copyOf(scratch, Math.max(need, scratch.length * 2));
      }
    }

    private void writeChecked(CharSequence name, CharSequence s, boolean isName) {
      byte[] out = scratch;
      int at = length;
      int n = s.length();
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c > 0xFF && !isName) {
          out[at++] = '?'; // not Latin-1: sent as '?', never as its low byte
          continue;
        }
        if (c == '\r' || c == '\n' || c == 0 || c > 0xFF || (isName && (c <= ' ' || c == ':'))) {
          throw new IllegalArgumentException(
              "header "
                  + (isName ? "name" : "\"" + name + "\"")
                  + " has a forbidden character (code "
                  + (int) c
                  + ")");
        }
        out[at++] = (byte) c;
      }
      length = at;
    }
  }
}
