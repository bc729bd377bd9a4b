package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.RunHandle;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.postgres.PostgresTestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick measure for the engine's own work (the bench module has the real benchmark): completed
 * 3-step sagas per second at a concurrency, against the store's naive limit for the same work (one
 * durable single-row commit per step plus one for the start). Run with {@code -Dsaga.probe=true
 * [-Dsaga.probe.runs=2000]}.
 */
@EnabledIfSystemProperty(named = "saga.probe", matches = "true")
class ThroughputProbeTest {
  private static final int RUNS = Integer.getInteger("saga.probe.runs", 1_000);
  private static final int CONCURRENCY = Integer.getInteger("saga.probe.concurrency", 64);
  @TempDir Path dir;

  @Test
  void sqlite() throws Exception {
    probe("sqlite", SagaStores.sqlite(dir.resolve("s.db")));
  }

  @Test
  void postgres() throws Exception {
    probe(
        "postgres",
        SagaStores.postgres(PostgresTestServer.shared().createDatabase(), "postgres", "", 16));
  }

  private void probe(String name, SagaStore store) throws Exception {
    try (store) {
      WorkflowDefinition<Integer, Integer> d =
          WorkflowDefinition.builder(
                  "three",
                  Integer.class,
                  Integer.class,
                  (wf, in) -> {
                    int a = wf.step("a", Integer.class, s -> in + 1);
                    int b = wf.step("b", Integer.class, s -> a + 1);
                    return wf.step("c", Integer.class, s -> b + 1);
                  })
              .build();
      double sagas;
      try (SagaEngine e = SagaEngine.builder(store).register(d).build()) {
        run(e, d, 100);
        long t0 = System.nanoTime();
        run(e, d, RUNS);
        sagas = RUNS / ((System.nanoTime() - t0) / 1e9);
      }
      double limit = naiveLimit(store) / 4.0;
      System.out.printf(
          "PROBE %s: %.0f sagas/s, naive limit %.0f sagas/s, ratio %.2f%n",
          name, sagas, limit, sagas / limit);
      assertThat(sagas).isPositive();
    }
  }

  private static final AtomicLong ids = new AtomicLong();

  private static void run(SagaEngine e, WorkflowDefinition<Integer, Integer> d, int n)
      throws Exception {
    AtomicLong left = new AtomicLong(n);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < CONCURRENCY; t++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      while (left.getAndDecrement() > 0) {
                        RunHandle<Integer> h = e.start(d, "r" + ids.incrementAndGet(), 1);
                        assertThat(h.await(Duration.ofMinutes(2))).isEqualTo(4);
                      }
                    } catch (Exception ex) {
                      throw new IllegalStateException(ex);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  /** Durable single-row commits per second at the same concurrency. */
  private static double naiveLimit(SagaStore store) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS probe (id BIGINT PRIMARY KEY, v INTEGER)");
    }
    int commits = RUNS * 4;
    AtomicLong next = new AtomicLong();
    long t0 = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < CONCURRENCY; t++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Connection c = store.dataSource().getConnection();
                        PreparedStatement ps =
                            c.prepareStatement("INSERT INTO probe (id, v) VALUES (?, 1)")) {
                      long i;
                      while ((i = next.getAndIncrement()) < commits) {
                        ps.setLong(1, i);
                        ps.executeUpdate();
                      }
                    } catch (Exception ex) {
                      throw new IllegalStateException(ex);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    return commits / ((System.nanoTime() - t0) / 1e9);
  }
}
