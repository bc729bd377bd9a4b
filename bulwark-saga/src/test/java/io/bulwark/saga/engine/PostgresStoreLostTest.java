package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.Step;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.postgres.PostgresTestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store lost mid-run: every connection of the engine (writers, heartbeat, pool, the
 * open transaction of a transactional step) is terminated by the server; the run resumes when the
 * store answers again, completes, and nothing is applied twice.
 */
class PostgresStoreLostTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();

  /** Ends every other session of the database (as a server restart or a network cut would). */
  private static int terminateAll(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname ="
                    + " current_database() AND pid <> pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private void effect(String key) {
    effects.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  @Test
  void aRunResumesAfterItsStoreDroppedEveryConnectionAndAppliesNothingTwice() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    CountDownLatch holdIn = new CountDownLatch(1);
    CountDownLatch holdGo = new CountDownLatch(1);
    CountDownLatch payIn = new CountDownLatch(1);
    CountDownLatch payGo = new CountDownLatch(1);
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "blink",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step(
                      "hold",
                      String.class,
                      s -> {
                        effect("hold");
                        holdIn.countDown();
                        holdGo.await();
                        return "h";
                      });
                  wf.step(
                      Step.named("pay", String.class)
                          .transactional()
                          .retry(
                              RetryConfig.builder()
                                  .maxAttempts(3)
                                  .fixedDelay(Duration.ofMillis(10))
                                  .build())
                          .action(
                              s -> {
                                effect("pay attempt " + s.attempt());
                                try (PreparedStatement ps =
                                    s.connection()
                                        .prepareStatement("INSERT INTO ledger VALUES (?)")) {
                                  ps.setString(1, s.idempotencyKey());
                                  ps.executeUpdate();
                                }
                                if (s.attempt() == 1) {
                                  payIn.countDown();
                                  payGo.await();
                                }
                                return "p";
                              }));
                  return wf.step(
                      "last",
                      String.class,
                      s -> {
                        effect("last");
                        return "l";
                      });
                })
            .build();
    try (SagaStore store = SagaStores.postgres(url, "postgres", "", 8)) {
      try (Connection c = store.dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE ledger (k TEXT PRIMARY KEY)");
      }
      try (SagaEngine e =
          SagaEngine.builder(store)
              .register(d)
              .executorId("exec-blink")
              .lease(Duration.ofSeconds(3), Duration.ofMillis(500))
              .poll(Duration.ofMillis(200))
              .defaultRetry(RetryConfig.builder().maxAttempts(1).build())
              .build()) {
        var handle = e.start(d, "b-1", "x");
        assertThat(holdIn.await(30, TimeUnit.SECONDS)).isTrue();
        // 1. the store drops every connection while a plain step runs
        assertThat(terminateAll(url)).isPositive();
        holdGo.countDown();
        // 2. ... and again while a transactional step's transaction is open (its insert made)
        assertThat(payIn.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(terminateAll(url)).isPositive();
        payGo.countDown();
        assertThat(handle.await(WAIT)).isEqualTo("l");
        assertThat(e.run("b-1").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
      }
      assertThat(effects.get("hold").get()).isEqualTo(1);
      assertThat(effects.get("last").get()).isEqualTo(1);
      assertThat(effects.get("pay attempt 1").get()).isEqualTo(1);
      try (Connection c = store.dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM ledger")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the payment is applied once").isEqualTo(1);
      }
    }
  }
}
