package io.bulwark.saga.kit;

import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.test.postgres.PostgresTestServer;
import java.sql.SQLException;

/** A database of its own on the test JVM's shared PostgreSQL server. */
public record PostgresDatabase(String url, String name) {
  /** Creates an empty database. */
  public static PostgresDatabase create() throws SQLException {
    String withUser = PostgresTestServer.shared().createDatabase();
    String url = withUser.substring(0, withUser.indexOf('?'));
    return new PostgresDatabase(url, url.substring(url.lastIndexOf('/') + 1));
  }

  /** A new store on it (a pool of at most {@code connections}). */
  public SagaStore open(int connections) {
    return SagaStores.postgres(url, "postgres", "", connections);
  }

  /** The superuser's URL of the server's {@code postgres} database, for administration. */
  public static String adminUrl() {
    return PostgresTestServer.shared().jdbcUrl();
  }
}
