/**
 * Bulwark's event log: one API over a durable embedded segmented log (the default) and Apache
 * Kafka, plus the transactional outbox and the idempotent inbox.
 */
module io.bulwark.events {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.resilience;
  requires static transitive org.jspecify;
  requires transitive java.sql;
  requires com.fasterxml.jackson.databind;
  requires kafka.clients;

  exports io.bulwark.events;
  exports io.bulwark.events.outbox;
}
