package io.bulwark.chaos.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.points.ChaosFixture;
import io.bulwark.core.fault.FaultPointKind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** The chaos DataSource over a real SQLite database. */
class ChaosDataSourceTest {
  @TempDir Path dir;
  private final ChaosFixture fx = new ChaosFixture();
  private ChaosDataSource ds;

  @BeforeEach
  void open() throws SQLException {
    SQLiteDataSource sqlite = new SQLiteDataSource();
    sqlite.setUrl("jdbc:sqlite:" + dir.resolve("t.db"));
    ds = ChaosDataSource.wrap(sqlite, "orders-db");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)");
    }
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private static BlastRadius jdbc(String route) {
    return BlastRadius.builder()
        .points(FaultPointKind.JDBC)
        .service("orders-db")
        .route(route)
        .build();
  }

  private int insert(int id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("/* create-order */ INSERT INTO orders VALUES (?, 'x')")) {
      ps.setInt(1, id);
      return ps.executeUpdate();
    }
  }

  private int count() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void statementsAreNamedByTheirLeadingCommentElseByTheirOperation() {
    assertThat(ChaosDataSource.statementName("/* reserve-stock */ UPDATE s SET n = 1"))
        .isEqualTo("reserve-stock");
    assertThat(ChaosDataSource.statementName("  Select 1")).isEqualTo("select");
    assertThat(ChaosDataSource.statementName("/**/ insert into t values (1)")).isEqualTo("insert");
    assertThat(ChaosDataSource.statementName("")).isEmpty();
    assertThat(ChaosDataSource.statementName("/* unterminated")).isEmpty();
  }

  @Test
  void aSqlErrorOnANamedStatementFailsOnlyItWithTheSqlStateAndNothingReachesTheDatabase()
      throws SQLException {
    ActiveFault f =
        fx.start(new Fault.SqlError("40001", "serialization failure"), jdbc("create-order"));

    assertThatThrownBy(() -> insert(1))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("serialization failure")
        .hasMessageContaining(f.id())
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40001"));
    // other statements of the same data source are outside the radius: counted over many calls
    for (int i = 0; i < 200; i++) {
      assertThat(count()).isZero();
    }
    assertThat(fx.chaos.injections(f.id())).isEqualTo(1);

    fx.chaos.clear(f.id());
    assertThat(insert(2)).isEqualTo(1);
    assertThat(count()).isEqualTo(1);
  }

  @Test
  void aSqlErrorOnConnectFailsGetConnectionUntilItExpires() throws SQLException {
    fx.start(
        new Fault.SqlError("08001", "cannot connect"),
        jdbc(ChaosDataSource.CONNECT),
        Duration.ofSeconds(30));
    assertThatThrownBy(() -> ds.getConnection())
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));

    fx.scheduler.advance(Duration.ofSeconds(30));

    assertThat(fx.chaos.active()).isEmpty();
    assertThat(insert(3)).isEqualTo(1);
  }

  @Test
  void statementLatencyDelaysTheExecutionByExactlyTheFaultsDelayInVirtualTime() throws Exception {
    fx.start(Fault.Latency.of(Duration.ofMillis(700)), jdbc("insert"));
    int pending = fx.scheduler.pendingTasks();
    // a named statement keeps its operation name out of reach: use an unnamed insert here
    CompletableFuture<Integer> call =
        ChaosFixture.async(
            () -> {
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                return s.executeUpdate("INSERT INTO orders VALUES (7, 'y')");
              }
            });
    fx.awaitPending(pending + 1);
    fx.scheduler.advance(Duration.ofMillis(699));
    assertThat(call).isNotDone();
    assertThat(count()).isZero(); // the statement has not run yet

    fx.scheduler.advance(Duration.ofMillis(1));

    assertThat(call.get()).isEqualTo(1);
    assertThat(count()).isEqualTo(1);
  }

  @Test
  void connectionLatencyDelaysGetConnection() throws Exception {
    fx.start(Fault.Latency.of(Duration.ofSeconds(2)), jdbc(ChaosDataSource.CONNECT));
    int pending = fx.scheduler.pendingTasks();
    CompletableFuture<Integer> call = ChaosFixture.async(() -> insert(9));
    fx.awaitPending(pending + 1);
    fx.scheduler.advance(Duration.ofMillis(1999));
    assertThat(call).isNotDone();
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThat(call.get()).isEqualTo(1);
  }

  @Test
  void anExceptionFaultThrowsItsRuntimeExceptionInsteadOfTheCall() throws SQLException {
    fx.start(new Fault.Raise(IllegalStateException.class, "pool exhausted"), jdbc("*"));
    assertThatThrownBy(() -> insert(4))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("pool exhausted");
    fx.chaos.clearAll();
    assertThat(count()).isZero();
  }

  @Test
  void aBlackholeHangsUntilTheFaultEndsThenTimesOutWithHyt00() throws Exception {
    fx.start(new Fault.Blackhole(), jdbc("select"), Duration.ofSeconds(5));
    CompletableFuture<Integer> call = ChaosFixture.async(this::count);
    fx.awaitPending(2); // the fault's expiry and the hang
    fx.scheduler.advance(Duration.ofMillis(4999));
    assertThat(call).isNotDone();
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThat(call)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(SQLTimeoutException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("HYT00"));
  }

  @Test
  void anotherDataSourceIsOutsideTheRadius() throws SQLException {
    SQLiteDataSource sqlite = new SQLiteDataSource();
    sqlite.setUrl("jdbc:sqlite:" + dir.resolve("t.db"));
    ChaosDataSource other = ChaosDataSource.wrap(sqlite, "catalog-db");
    ActiveFault f = fx.start(new Fault.SqlError("57P01", "admin shutdown"), jdbc("*"));
    for (int i = 0; i < 100; i++) {
      try (Connection c = other.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
        assertThat(rs.next()).isTrue();
      }
    }
    assertThat(fx.chaos.injections(f.id())).isZero();
  }

  @Test
  void statementsReturnTheWrappingConnectionAndUnwrapReachesTheDriver() throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT 1")) {
      assertThat(ps.getConnection()).isSameAs(c);
      assertThat(c.isWrapperFor(org.sqlite.SQLiteConnection.class)).isTrue();
      assertThat(ds.unwrap(ChaosDataSource.class)).isSameAs(ds);
    }
  }

  @Test
  void badInputIsRefusedNamingIt() {
    assertThatThrownBy(() -> new Fault.SqlError("4001", "x")).hasMessageContaining("was \"4001\"");
    assertThatThrownBy(() -> ChaosDataSource.wrap(new SQLiteDataSource(), " "))
        .hasMessageContaining("name must not be blank");
  }
}
