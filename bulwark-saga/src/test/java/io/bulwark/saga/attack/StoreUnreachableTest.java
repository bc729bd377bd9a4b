package io.bulwark.saga.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.saga.RunStatus;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStoreException;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.kit.Effects;
import io.bulwark.saga.kit.KitFixture;
import io.bulwark.saga.kit.PostgresDatabase;
import io.bulwark.saga.kit.Waits;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store cannot be reached: at start the store fails fast and names where it looked; in the
 * middle of a run (PostgreSQL refusing every connection) the run waits and resumes when the
 * database returns, with nothing lost and no step run ahead of its predecessor's checkpoint.
 */
class StoreUnreachableTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private final KitFixture kit = new KitFixture();
  private final Effects effects = new Effects();

  @AfterEach
  void close() throws Exception {
    kit.closeAll();
  }

  @Test
  void aPostgresStoreOnAClosedPortFailsFastNamingTheUrl() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/sagas";
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> SagaStores.postgres(url, "postgres", "secret-password", 4))
        .isInstanceOf(SagaStoreException.class)
        .hasMessageContaining(url)
        .hasMessageNotContaining("secret-password");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void aSqliteStoreUnderARegularFileFailsNamingThePath() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "plain file");
    Path db = file.resolve("sagas.db");
    assertThatThrownBy(() -> SagaStores.sqlite(db))
        .isInstanceOf(SagaStoreException.class)
        .hasMessageContaining(db.toAbsolutePath().toString());
    assertThat(Files.readString(file)).isEqualTo("plain file");
  }

  @Test
  void aNonPostgresUrlIsRefusedNamingIt() {
    assertThatThrownBy(() -> SagaStores.postgres("jdbc:mysql://localhost/x", "u", "p", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:mysql://localhost/x");
  }

  private static void allowConnections(PostgresDatabase pg, boolean allow) throws Exception {
    try (Connection c = DriverManager.getConnection(PostgresDatabase.adminUrl());
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + pg.name() + " ALLOW_CONNECTIONS " + allow);
      if (!allow) {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + pg.name()
                + "'");
      }
    }
  }

  @Test
  void aRunResumesWhenThePostgresStoreReturnsAfterAnOutageMidRun() throws Exception {
    PostgresDatabase pg = PostgresDatabase.create();
    SagaStore store = kit.track(pg.open(4));
    AtomicBoolean outage = new AtomicBoolean();
    CountDownLatch bInside = new CountDownLatch(1);
    CountDownLatch bGo = new CountDownLatch(1);
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-outage",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "a" + effects.record("a"));
                  wf.step(
                      "b",
                      String.class,
                      s -> {
                        if (effects.record("b") == 1) {
                          bInside.countDown();
                          assertThat(bGo.await(30, TimeUnit.SECONDS)).isTrue();
                        }
                        return "b";
                      });
                  return wf.step(
                      "c",
                      String.class,
                      s -> {
                        effects.record(outage.get() ? "c during the outage" : "c");
                        return in + "-c";
                      });
                })
            .build();
    SagaEngine engine = kit.start(kit.real(store).register(def));
    engine.start(def, "r-outage", "x");
    assertThat(bInside.await(30, TimeUnit.SECONDS)).isTrue();

    outage.set(true);
    allowConnections(pg, false);
    bGo.countDown(); // b returns while its checkpoint cannot be written
    // the outage lasts two seconds of real time: long enough for the engine to hit it on b's
    // checkpoint and on its heartbeat and polls
    LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
    outage.set(false);
    allowConnections(pg, true);

    assertThat(engine.handle("r-outage", String.class).await(Waits.LIMIT)).isEqualTo("x-c");
    assertThat(effects.count("c during the outage"))
        .as("c never starts before b's checkpoint is stored")
        .isZero();
    assertThat(effects.count("a")).isEqualTo(1);
    assertThat(effects.count("c")).isEqualTo(1);
    assertThat(effects.count("b")).isBetween(1, 2);
    assertThat(Waits.status(engine, "r-outage", RunStatus.COMPLETED).steps()).hasSize(3);
  }
}
