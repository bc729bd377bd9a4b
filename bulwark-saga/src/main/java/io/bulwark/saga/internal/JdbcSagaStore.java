package io.bulwark.saga.internal;

import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** The SQL saga store (SQLite or PostgreSQL). */
public final class JdbcSagaStore implements SagaStore {
  private final String url;
  private final String dialect;
  private final DataSource dataSource;

  private JdbcSagaStore(String url, String dialect, DataSource dataSource) {
    this.url = url;
    this.dialect = dialect;
    this.dataSource = dataSource;
  }

  /** A SQLite store in {@code file}. */
  public static JdbcSagaStore sqlite(Path file) {
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new SagaStoreException("saga store " + url + ": cannot create its directory: " + e, e);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(10_000);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl(url);
    return check(new JdbcSagaStore(url, "sqlite", ds));
  }

  /** A PostgreSQL store. */
  public static JdbcSagaStore postgres(
      String jdbcUrl, String user, String password, int maxConnections) {
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "saga store URL must start with jdbc:postgresql:, got '" + jdbcUrl + "'");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "saga store " + jdbcUrl + ": maxConnections must be 1 or more, got " + maxConnections);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(jdbcUrl);
    ds.setUser(user);
    ds.setPassword(password);
    return check(new JdbcSagaStore(jdbcUrl, "postgresql", ds));
  }

  private static JdbcSagaStore check(JdbcSagaStore store) {
    try (Connection c = store.dataSource.getConnection()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new SagaStoreException(
          "saga store " + store.url + " cannot be reached: " + e.getMessage(), e);
    }
    return store;
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public String dialect() {
    return dialect;
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {}
}
