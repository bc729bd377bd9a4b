/**
 * The reference shop: services built only on Bulwark's public APIs, the load generator, the game
 * day and the {@code bulwark demo} that runs them.
 *
 * <p>Its API hands out the runtime's types (the system model, instance handles, stats) and SLOs;
 * HdrHistogram ships no module descriptor: it is the one automatic module required.
 */
@SuppressWarnings("requires-automatic")
module io.bulwark.examples.shop {
  requires static transitive org.jspecify;
  requires transitive io.bulwark.runtime;
  requires transitive io.bulwark.telemetry;
  requires io.bulwark.http;
  requires io.bulwark.events;
  requires io.bulwark.resilience;
  requires io.bulwark.saga;
  requires io.bulwark.data;
  requires io.bulwark.gateway; // the shop's edge (edge, identity, legacy)
  requires io.bulwark.test; // demo --backend: KafkaTestBroker, PostgresTestServer
  requires com.fasterxml.jackson.databind;
  requires org.xerial.sqlitejdbc;
  requires HdrHistogram;
  requires org.slf4j;
  requires java.sql;
  requires java.net.http;

  exports io.bulwark.examples.shop;
  exports io.bulwark.examples.shop.load;
  exports io.bulwark.examples.shop.gameday;
  exports io.bulwark.examples.shop.demo;

  // the services' JSON records are read and written by Jackson
  opens io.bulwark.examples.shop to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.common to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.catalog to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.recommendations to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.inventory to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.payments to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.cart to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.orders to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.shipping to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.notifications to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.load to
      com.fasterxml.jackson.databind;
  // the edge: gateway service, identity (login, JWKS), the legacy monolith
  opens io.bulwark.examples.shop.edge to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.identity to
      com.fasterxml.jackson.databind;
  opens io.bulwark.examples.shop.legacy to
      com.fasterxml.jackson.databind;
}
