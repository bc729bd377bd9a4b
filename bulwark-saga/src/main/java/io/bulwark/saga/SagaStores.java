package io.bulwark.saga;

import io.bulwark.saga.internal.JdbcSagaStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The saga stores: SQLite for one process (the default; WAL, {@code synchronous=FULL}), PostgreSQL
 * for executors in several processes that adopt each other's runs ({@code FOR UPDATE SKIP LOCKED}).
 * Both create their tables on first use and fail fast, naming the URL, when the database cannot be
 * reached.
 */
public final class SagaStores {
  private SagaStores() {}

  /** A SQLite store in {@code file} (created with its directory if missing). */
  public static SagaStore sqlite(Path file) {
    return JdbcSagaStore.sqlite(Objects.requireNonNull(file, "file"));
  }

  /**
   * A PostgreSQL store at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db}), with a pool of
   * at most {@code maxConnections} connections.
   */
  public static SagaStore postgres(
      String jdbcUrl, String user, String password, int maxConnections) {
    return JdbcSagaStore.postgres(jdbcUrl, user, password, maxConnections);
  }
}
