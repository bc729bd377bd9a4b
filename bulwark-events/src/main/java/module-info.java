/**
 * Bulwark's event log: one API over a durable embedded segmented log (the default) and Apache
 * Kafka, plus the transactional outbox and the idempotent inbox.
 *
 * <p>Jackson's {@code ObjectMapper} is a deliberate part of the API ({@code Serdes.json(mapper,
 * type)}), hence {@code requires transitive}. {@code kafka.clients} is an automatic module (the
 * Kafka jar declares no module); none of its types appear in the API.
 */
@SuppressWarnings("requires-automatic")
module io.bulwark.events {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.resilience;
  requires static transitive org.jspecify;
  requires transitive java.sql;
  requires transitive com.fasterxml.jackson.databind;
  requires kafka.clients;

  exports io.bulwark.events;
  exports io.bulwark.events.outbox;
}
