/**
 * Bulwark's HTTP service runtime and resilient client, on Vert.x core: routing, context restore,
 * deadlines, load shedding, health, graceful shutdown, discovery, load balancing and outlier
 * ejection.
 */
module io.bulwark.http {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.resilience;
  requires transitive io.vertx.core; // Vert.x is part of the API: BulwarkServer.Builder.vertx
  // Jackson is the JSON mapping of the API: Request and ClientResponse carry the ObjectMapper that
  // maps bodies (Request.json, ClientResponse.json), so user types use Jackson's annotations
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires io.netty.codec.http;
  requires io.netty.codec;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.transport;

  exports io.bulwark.http;
  exports io.bulwark.http.client;
  exports io.bulwark.http.discovery;
  exports io.bulwark.http.lb;
  exports io.bulwark.http.health;
  exports io.bulwark.http.wire;
}
