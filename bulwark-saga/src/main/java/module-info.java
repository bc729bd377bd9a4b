/**
 * Bulwark's durable sagas and workflows: plain-Java workflows whose steps are checkpointed in a SQL
 * store (SQLite by default, PostgreSQL at scale), retried durably, compensated in reverse order
 * when a step fails for good, held under leases and adopted by another executor when their own
 * dies. See docs/sagas.md.
 *
 * <p>Resilience's {@code RetryConfig}, the events {@code OutgoingRecord}, JDBC and Jackson's {@code
 * ObjectMapper} are part of the API, hence {@code requires transitive}.
 */
@SuppressWarnings("requires-automatic")
module io.bulwark.saga {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.resilience;
  requires transitive io.bulwark.events;
  requires transitive io.bulwark.http;
  requires transitive java.sql;
  requires transitive com.fasterxml.jackson.databind;
  requires static transitive org.jspecify;
  requires org.xerial.sqlitejdbc;
  requires org.postgresql.jdbc;
  requires com.zaxxer.hikari;

  exports io.bulwark.saga;
  exports io.bulwark.saga.http;
  exports io.bulwark.saga.testing;
}
