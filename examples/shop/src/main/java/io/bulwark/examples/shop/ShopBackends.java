package io.bulwark.examples.shop;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where the shop keeps its events and its checkout sagas: the only thing that changes between the
 * backends. The services' code is the same; they read these addresses from their settings.
 *
 * <ul>
 *   <li>events: the embedded event log under {@code <storageRoot>/event-log} (null {@code
 *       kafkaBootstrapServers}), or a Kafka cluster at {@code host:port[,host:port...]} — every
 *       topic of the shop (orders, product events, cache invalidations) and its consumer groups.
 *   <li>orders: the checkout saga's store, the orders table and the outbox in one SQLite file of
 *       the orders instance's storage (null {@code postgresJdbcUrl}), or in one PostgreSQL database
 *       at {@code jdbc:postgresql://host:port/db} as {@code postgresUser} (no password: a local
 *       server that trusts loopback).
 * </ul>
 *
 * @param kafkaBootstrapServers Kafka's bootstrap servers, or null for the embedded log
 * @param postgresJdbcUrl the orders database on PostgreSQL, or null for SQLite
 * @param postgresUser the user of {@code postgresJdbcUrl}
 */
public record ShopBackends(
    @Nullable String kafkaBootstrapServers, @Nullable String postgresJdbcUrl, String postgresUser) {

  /**
   * What the {@code eventLog} setting holds when the events are on Kafka: this, then the servers.
   */
  public static final String KAFKA_PREFIX = "kafka://";

  /** The default: the embedded event log and SQLite. */
  public static final ShopBackends EMBEDDED = new ShopBackends(null, null, "postgres");

  public ShopBackends {
    if (kafkaBootstrapServers != null
        && !kafkaBootstrapServers.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
      throw new IllegalArgumentException(
          "kafkaBootstrapServers must be host:port[,host:port...], was \""
              + kafkaBootstrapServers
              + "\"");
    }
    if (postgresJdbcUrl != null && !postgresJdbcUrl.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException(
          "postgresJdbcUrl must start with jdbc:postgresql://, was \"" + postgresJdbcUrl + "\"");
    }
    if (postgresUser.isBlank()) {
      throw new IllegalArgumentException("postgresUser must not be blank");
    }
  }

  /** This with the events on the Kafka cluster at {@code bootstrapServers}. */
  public ShopBackends withKafka(String bootstrapServers) {
    return new ShopBackends(bootstrapServers, postgresJdbcUrl, postgresUser);
  }

  /** This with the orders database at {@code jdbcUrl} as {@code user}. */
  public ShopBackends withPostgres(String jdbcUrl, String user) {
    return new ShopBackends(kafkaBootstrapServers, jdbcUrl, user);
  }

  /**
   * The {@code eventLog} setting of the services: {@code embeddedDirectory}, or {@value
   * #KAFKA_PREFIX} and the bootstrap servers.
   */
  public String eventLogLocation(Path embeddedDirectory) {
    return kafkaBootstrapServers == null
        ? embeddedDirectory.toString()
        : KAFKA_PREFIX + kafkaBootstrapServers;
  }

  /** A short label: {@code embedded}, {@code kafka}, {@code postgres} or {@code kafka,postgres}. */
  public String label() {
    if (kafkaBootstrapServers == null && postgresJdbcUrl == null) {
      return "embedded";
    }
    if (kafkaBootstrapServers == null) {
      return "postgres";
    }
    return postgresJdbcUrl == null ? "kafka" : "kafka,postgres";
  }
}
