package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.ShopBackends;
import io.bulwark.test.kafka.KafkaTestBroker;
import io.bulwark.test.postgres.PostgresTestServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The Kafka broker and the PostgreSQL server of one demo run, started locally from the Maven
 * Central artifacts that bulwark-test's {@link KafkaTestBroker} and {@link PostgresTestServer} use
 * (the Kafka jars in a child JVM, zonky's PostgreSQL binaries), with their data under the run's
 * directory; {@link #close()} stops both and PostgreSQL deletes its files. A fresh pair per run, so
 * a second run never sees the first one's topics, offsets or saga rows.
 *
 * <p>The servers stop with the demo's JVM even when it is killed: PostgreSQL's watchdog and the
 * broker's child JVM both end when their standard input (a pipe from this JVM) closes.
 */
final class LocalBackends implements AutoCloseable {
  /** The database of the orders service on the local server. */
  static final String DATABASE = "shop";

  /** The superuser the local server trusts on loopback. */
  static final String USER = "postgres";

  private final ShopBackends backends;
  private final @Nullable KafkaTestBroker kafka;
  private final @Nullable PostgresTestServer postgres;
  private final PrintStream out;

  private LocalBackends(
      ShopBackends backends,
      @Nullable KafkaTestBroker kafka,
      @Nullable PostgresTestServer postgres,
      PrintStream out) {
    this.backends = backends;
    this.kafka = kafka;
    this.postgres = postgres;
    this.out = out;
  }

  /**
   * Starts what {@code chosen} names under {@code dir} ({@code kafka/}, {@code postgres/}),
   * printing progress to {@code out}; nothing for {@link Backend#EMBEDDED}.
   *
   * @throws BackendStartException naming the backend that failed (anything already started is
   *     stopped)
   */
  static LocalBackends start(Set<Backend> chosen, Path dir, PrintStream out) {
    ShopBackends backends = ShopBackends.EMBEDDED;
    KafkaTestBroker kafka = null;
    PostgresTestServer postgres = null;
    try {
      if (chosen.contains(Backend.KAFKA)) {
        Path kafkaDir = dir.resolve("kafka");
        out.println("starting Kafka (a KRaft broker in a child JVM, data in " + kafkaDir + ")...");
        long begin = System.nanoTime();
        kafka = startKafka(kafkaDir);
        backends = backends.withKafka(kafka.bootstrapServers());
        out.printf(
            Locale.ROOT,
            "Kafka ready at %s in %d ms (pid %d)%n",
            kafka.bootstrapServers(),
            millisSince(begin),
            kafka.pid());
      }
      if (chosen.contains(Backend.POSTGRES)) {
        Path pgDir = dir.resolve("postgres");
        out.println("starting PostgreSQL (zonky's binaries, data in " + pgDir + ")...");
        long begin = System.nanoTime();
        postgres = startPostgres(pgDir);
        String url = createDatabase(postgres);
        backends = backends.withPostgres(url, USER);
        out.printf(Locale.ROOT, "PostgreSQL ready at %s in %d ms%n", url, millisSince(begin));
      }
      return new LocalBackends(backends, kafka, postgres, out);
    } catch (RuntimeException | Error e) {
      stopQuietly(kafka, postgres, e);
      throw e;
    }
  }

  private static KafkaTestBroker startKafka(Path dir) {
    try {
      return KafkaTestBroker.start(dir, Map.of(), List.of("-XX:TieredStopAtLevel=1"));
    } catch (IOException | RuntimeException e) {
      throw new BackendStartException("Kafka could not start in " + dir + ": " + e.getMessage(), e);
    } catch (LinkageError e) {
      throw new BackendStartException(
          "Kafka could not start: " + e + " (the demo needs bulwark-test and the Kafka jars)", e);
    }
  }

  private static PostgresTestServer startPostgres(Path dir) {
    try {
      return PostgresTestServer.start(dir);
    } catch (IOException | RuntimeException e) {
      throw new BackendStartException(
          "PostgreSQL could not start in " + dir + ": " + e.getMessage(), e);
    } catch (LinkageError e) {
      throw new BackendStartException(
          "PostgreSQL could not start: "
              + e
              + " (the demo needs bulwark-test and zonky's PostgreSQL binaries)",
          e);
    }
  }

  private static String createDatabase(PostgresTestServer server) {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), USER, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + DATABASE);
      return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + DATABASE;
    } catch (SQLException e) {
      throw new BackendStartException(
          "PostgreSQL started but database " + DATABASE + " could not be created: " + e, e);
    }
  }

  private static long millisSince(long begin) {
    return (System.nanoTime() - begin) / 1_000_000;
  }

  /** The addresses the shop is given. */
  ShopBackends backends() {
    return backends;
  }

  private static void stopQuietly(
      @Nullable KafkaTestBroker kafka, @Nullable PostgresTestServer postgres, Throwable cause) {
    try {
      if (postgres != null) {
        postgres.close();
      }
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** Stops PostgreSQL (deleting its files), then Kafka. Call after the shop closed. */
  @Override
  public void close() {
    if (postgres != null) {
      postgres.close();
      out.println("PostgreSQL stopped");
    }
    if (kafka != null) {
      kafka.close();
      out.println("Kafka stopped");
    }
  }

  /** A backend could not start: the message names it and why. */
  static final class BackendStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BackendStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
