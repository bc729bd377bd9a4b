package io.bulwark.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.examples.shop.common.SqlitePool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool never hands out a connection with a transaction still open. */
class SqlitePoolTest {
  @TempDir Path dir;

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(SqlitePool pool, String table) throws SQLException {
    return pool.read(
        c -> {
          try (Statement s = c.createStatement();
              var rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Test
  void aCommitThatFailsIsRolledBackAndTheConnectionServesTheNextTransaction() throws Exception {
    try (SqlitePool pool = SqlitePool.open(dir.resolve("t.db"), 1)) {
      pool.read(
          c -> {
            exec(c, "PRAGMA foreign_keys = ON");
            exec(c, "CREATE TABLE parent (id INTEGER PRIMARY KEY)");
            exec(
                c,
                "CREATE TABLE child (pid INTEGER REFERENCES parent (id)"
                    + " DEFERRABLE INITIALLY DEFERRED)");
            return null;
          });

      // a deferred foreign key is only checked at COMMIT: the COMMIT itself fails
      assertThatThrownBy(() -> pool.txRun(c -> exec(c, "INSERT INTO child (pid) VALUES (7)")))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("FOREIGN KEY");

      pool.txRun(c -> exec(c, "INSERT INTO parent (id) VALUES (1)"));
      assertThat(count(pool, "child")).isZero();
      assertThat(count(pool, "parent")).isEqualTo(1);
      // the write lock was released: another connection to the file can write at once
      try (Connection other = SqlitePool.connect(dir.resolve("t.db"), false)) {
        exec(other, "BEGIN IMMEDIATE");
        exec(other, "INSERT INTO parent (id) VALUES (2)");
        exec(other, "COMMIT");
      }
      assertThat(count(pool, "parent")).isEqualTo(2);
    }
  }
}
