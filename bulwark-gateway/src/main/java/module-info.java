/**
 * Bulwark's API gateway and sidecar: one engine on Vert.x event loops that proxies streaming
 * HTTP/1.1 and HTTP/2 traffic to upstream clusters through a compiled route matcher, refuses
 * private and metadata upstreams unless a cluster allows them, reloads its YAML config atomically
 * and serves an admin API on loopback. See docs/gateway.md.
 */
module io.bulwark.gateway {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.resilience;
  requires transitive io.bulwark.http;
  requires transitive io.vertx.core; // Gateway.Builder.vertx
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires com.nimbusds.jose.jwt;
  requires com.dylibso.chicory.runtime;
  requires com.dylibso.chicory.wasm;
  requires java.net.http; // JWKS fetches
  requires io.netty.codec.compression; // gzip and brotli options of the listeners (edge)
  requires com.aayushatharva.brotli4j; // brotli (Netty's encoder calls it)
  // the own HTTP/1.1 upstream pools (Http1Pool): channels on the listeners' event loops
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires static transitive org.jspecify;

  exports io.bulwark.gateway;
}
