package io.bulwark.gateway.internal;

import io.bulwark.gateway.CompressionConfig;
import io.bulwark.gateway.ListenerConfig;
import io.bulwark.gateway.TlsConfig;
import io.netty.handler.codec.compression.BrotliMode;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ServerSSLOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The server options a listener's edge settings call for: TLS, ALPN and compression. */
final class EdgeSetup {
  private EdgeSetup() {}

  /** Applies TLS (with {@code material}) and compression to {@code options}. */
  static void apply(HttpServerOptions options, ListenerConfig l, TlsMaterial material) {
    TlsConfig tls = l.edge().tls();
    if (tls != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(material.options)
          .setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.protocols()))
          .setSslHandshakeTimeout(tls.handshakeTimeout().toMillis())
          .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
          .setUseAlpn(true)
          .setAlpnVersions(alpn(tls));
    }
    compression(options, l.edge().compression());
  }

  static void compression(HttpServerOptions options, CompressionConfig c) {
    if (!c.enabled()) {
      return;
    }
    options
        .setCompressionSupported(true)
        .setCompressionLevel(c.level())
        .setCompressionContentSizeThreshold(0) // the proxy decides per response (Compression)
        .setCompressors(
            c.brotli()
                ? List.of(
                    StandardCompressionOptions.brotli(c.brotliQuality(), 22, BrotliMode.TEXT),
                    StandardCompressionOptions.gzip(c.level(), 15, 8))
                : List.of(StandardCompressionOptions.gzip(c.level(), 15, 8)));
  }

  /** The TLS settings of {@code options}, for a certificate reload. */
  static ServerSSLOptions sslOptions(HttpServerOptions options, TlsConfig tls) {
    return options.getSslOptions().copy().setApplicationLayerProtocols(tls.alpn());
  }

  private static List<HttpVersion> alpn(TlsConfig tls) {
    List<HttpVersion> out = new ArrayList<>();
    for (String a : tls.alpn()) {
      out.add(a.equals("h2") ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
    }
    return out;
  }
}
