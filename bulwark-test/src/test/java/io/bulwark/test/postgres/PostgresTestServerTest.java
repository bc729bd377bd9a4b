package io.bulwark.test.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PostgresTestServerTest {

  @Test
  void runsARealServerWithADatabasePerTestAndRemovesItsFilesWhenClosed() throws Exception {
    Path home;
    try (PostgresTestServer server = PostgresTestServer.start()) {
      String first = server.createDatabase();
      String second = server.createDatabase();
      assertThat(first).isNotEqualTo(second).startsWith("jdbc:postgresql://127.0.0.1:");
      try (Connection c = DriverManager.getConnection(first);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT)");
        s.execute("INSERT INTO t (v) VALUES ('a'), ('b')");
        try (ResultSet rs =
            s.executeQuery("SELECT count(*), current_setting('server_version_num') FROM t")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(2);
          assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(170000);
        }
        try (ResultSet rs = s.executeQuery("SHOW listen_addresses")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("127.0.0.1");
        }
        assertThat(setting(s, "fsync")).as("a started server keeps the defaults").isEqualTo("on");
      }
      try (Connection c = DriverManager.getConnection(second);
          Statement s = c.createStatement()) {
        assertThatThrownBy(() -> s.executeQuery("SELECT * FROM t"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("\"t\" does not exist");
      }
      home = dataDirectoryOf(server);
      assertThat(home).isDirectory();
    }
    assertThat(Files.exists(home)).as("files deleted on close").isFalse();
  }

  @Test
  void aKilledTestJvmLeavesNoServerRunning() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), PostgresChild.class.getName())
            .redirectErrorStream(true)
            .start();
    try {
      String ready;
      try (var out =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        ready = out.lines().filter(l -> l.startsWith("READY ")).findFirst().orElseThrow();
        List<ProcessHandle> server = child.descendants().toList();
        assertThat(server).as("the watchdog shell and postgres").isNotEmpty();
        int port = Integer.parseInt(ready.substring("READY ".length()));
        try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres")) {
          assertThat(c.isValid(5)).isTrue();
        }

        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        for (ProcessHandle p : server) {
          p.onExit().get(60, TimeUnit.SECONDS);
        }
        assertThatThrownBy(
                () ->
                    DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres"))
            .isInstanceOf(SQLException.class);
      }
    } finally {
      child.descendants().forEach(ProcessHandle::destroyForcibly);
      child.destroyForcibly();
    }
  }

  @Test
  void startsInAGivenHomeTooDeepForASocketOnTcpAloneAndDeletesItWhenClosed() throws Exception {
    Path base = Files.createTempDirectory("bulwark-pg-home");
    Files.setPosixFilePermissions(
        base, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    try {
      startsInHomeAndRefusesAHomeNotEmpty(
          base.resolve("a-directory-name-long-enough".repeat(3)).resolve("postgres"));
    } finally {
      PostgresBinaries.deleteTree(base);
    }
  }

  private static void startsInHomeAndRefusesAHomeNotEmpty(Path home) throws Exception {
    try (PostgresTestServer server = PostgresTestServer.start(home)) {
      assertThat(home.resolve("socket")).as("no socket path over 107 bytes").doesNotExist();
      try (Connection c = DriverManager.getConnection(server.jdbcUrl());
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
    }
    assertThat(home).doesNotExist();
    Files.createDirectories(home);
    Files.writeString(home.resolve("left"), "x");
    assertThatThrownBy(() -> PostgresTestServer.start(home))
        .hasMessageContaining(home.toString())
        .hasMessageContaining("not empty");
  }

  @Test
  void theSharedServerIsOnePerJvmAndRunsWithoutFsync() throws SQLException {
    assertThat(PostgresTestServer.shared()).isSameAs(PostgresTestServer.shared());
    try (Connection c = DriverManager.getConnection(PostgresTestServer.shared().jdbcUrl());
        Statement s = c.createStatement()) {
      assertThat(setting(s, "fsync")).isEqualTo("off");
      assertThat(setting(s, "synchronous_commit"))
          .as("a commit still waits for its WAL write")
          .isEqualTo("on");
    }
  }

  private static String setting(Statement s, String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Path dataDirectoryOf(PostgresTestServer server) throws SQLException {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW data_directory")) {
      rs.next();
      return Path.of(rs.getString(1)).getParent();
    }
  }
}
