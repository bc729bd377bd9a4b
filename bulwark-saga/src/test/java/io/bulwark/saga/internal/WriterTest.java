package io.bulwark.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStoreException;
import io.bulwark.saga.SagaStores;
import io.bulwark.test.postgres.PostgresTestServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group-commit writer on a real PostgreSQL: a one-statement job alone in its batch commits by
 * itself (no commit round trip), every other batch in one transaction, and a failure of either
 * writes nothing and leaves the connection fit for the next batch.
 */
class WriterTest {
  private SagaStore store;
  private Writer writer;
  private final AtomicInteger commits = new AtomicInteger();

  private static final Writer.WriteLock NO_LOCK =
      new Writer.WriteLock() {
        @Override
        public void lock() {}

        @Override
        public void unlock() {}
      };

  @BeforeEach
  void open() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    store = SagaStores.postgres(url, "postgres", "", 4);
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE w (k VARCHAR(40) PRIMARY KEY)");
    }
    writer = new Writer(counting(store.dataSource()), url, "writer-test", 1, false, NO_LOCK, null);
  }

  @AfterEach
  void close() {
    writer.close();
    store.close();
  }

  /** {@code ds} whose connections count their {@code commit()} calls in {@link #commits}. */
  private DataSource counting(DataSource ds) {
    return (DataSource)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {DataSource.class},
            (p, m, args) -> {
              Object r = invoke(ds, m, args);
              if (!(r instanceof Connection c)) {
                return r;
              }
              return Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (cp, cm, cargs) -> {
                    if (cm.getName().equals("commit")) {
                      commits.incrementAndGet();
                    }
                    return invoke(c, cm, cargs);
                  });
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Writer.Job insert(String k) {
    return s -> {
      PreparedStatement ps = s.prepare("INSERT INTO w (k) VALUES (?) ON CONFLICT DO NOTHING");
      ps.setString(1, k);
      return ps.executeUpdate() == 1;
    };
  }

  private static Writer.OneStatement one(Writer.Job job) {
    return job::apply;
  }

  private int rows(String where) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM w WHERE " + where)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aOneStatementJobAloneCommitsByItselfAndAnyOtherJobInATransaction() throws Exception {
    assertThat(writer.write(one(insert("a")))).isTrue();
    assertThat(commits).as("no commit call for a one-statement job").hasValue(0);
    assertThat(rows("k = 'a'")).as("committed when write returned").isEqualTo(1);
    // a duplicate inserts nothing: false, as a fenced-out job
    assertThat(writer.write(one(insert("a")))).isFalse();
    assertThat(writer.write(insert("b"))).isTrue();
    assertThat(commits).as("a plain job commits its transaction").hasValue(1);
    assertThat(rows("k = 'b'")).isEqualTo(1);
    assertThat(writer.write(one(insert("c")))).isTrue();
    assertThat(commits).hasValue(1);
    assertThat(rows("k IN ('a', 'b', 'c')")).isEqualTo(3);
  }

  @Test
  void aFailedBatchWritesNothingInEitherModeAndTheNextOneStillCommits() throws Exception {
    // a one-statement job whose statement fails: nothing written, the error names the store
    Writer.OneStatement bad =
        s -> {
          PreparedStatement ps = s.prepare("INSERT INTO w (k) VALUES (?)");
          ps.setString(1, "x".repeat(41)); // longer than the column
          return ps.executeUpdate() == 1;
        };
    assertThatThrownBy(() -> writer.write(bad))
        .isInstanceOf(SagaStoreException.class)
        .hasMessageContaining("saga store");
    assertThat(rows("TRUE")).isZero();
    // after an auto-commit batch, a job of two statements is one transaction again: its first
    // insert is rolled back with the failing second one
    Writer.Job twoThenFail =
        s -> {
          insert("d").apply(s);
          PreparedStatement ps = s.prepare("INSERT INTO w (k) VALUES (?)");
          ps.setString(1, "y".repeat(41));
          return ps.executeUpdate() == 1;
        };
    assertThat(writer.write(one(insert("e")))).isTrue();
    assertThatThrownBy(() -> writer.write(twoThenFail)).isInstanceOf(SagaStoreException.class);
    assertThat(rows("k = 'd'")).as("rolled back with its transaction").isZero();
    assertThat(writer.write(one(insert("f")))).isTrue();
    assertThat(writer.write(insert("g"))).isTrue();
    assertThat(rows("TRUE")).as("e, f and g").isEqualTo(3);
  }

  @Test
  void jobsQueuedWhileEveryLaneIsBusyShareOneTransactionAndACommit() throws Exception {
    writer.close();
    writer =
        new Writer(
            counting(store.dataSource()), "two-lanes", "writer-test", 2, false, NO_LOCK, null);
    CountDownLatch inA = new CountDownLatch(1);
    CountDownLatch inB = new CountDownLatch(1);
    CountDownLatch goA = new CountDownLatch(1);
    CountDownLatch goB = new CountDownLatch(1);
    CompletableFuture<Boolean> a = writer.submit(one(blocking("a", inA, goA)));
    assertThat(inA.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> b = writer.submit(one(blocking("b", inB, goB)));
    assertThat(inB.await(30, TimeUnit.SECONDS)).as("the idle lane took b").isTrue();
    // both lanes are busy: these three wait in the queue; a's lane, freed while b's is still busy,
    // takes them all
    List<Long> txids = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Boolean>> queued = new ArrayList<>();
    for (String k : List.of("c", "d", "e")) {
      queued.add(writer.submit(one(recordingTxid(k, txids))));
    }
    goA.countDown();
    assertThat(a.get(30, TimeUnit.SECONDS)).isTrue();
    for (CompletableFuture<Boolean> f : queued) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(b).as("b's lane still busy").isNotDone();
    goB.countDown();
    assertThat(b.get(30, TimeUnit.SECONDS)).isTrue();
    assertThat(txids).hasSize(3);
    assertThat(Set.copyOf(txids)).as("one transaction for the three queued jobs").hasSize(1);
    assertThat(commits).as("a and b alone in auto-commit, c, d, e one commit").hasValue(1);
    assertThat(rows("TRUE")).isEqualTo(5);
  }

  /** Inserts {@code k}, then signals {@code in} and waits for {@code go}. */
  private static Writer.Job blocking(String k, CountDownLatch in, CountDownLatch go) {
    return s -> {
      boolean done = insert(k).apply(s);
      in.countDown();
      try {
        assertThat(go.await(30, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return done;
    };
  }

  /** Inserts {@code k} and adds its transaction's id to {@code txids}. */
  private static Writer.Job recordingTxid(String k, List<Long> txids) {
    return s -> {
      try (ResultSet rs = s.prepare("SELECT txid_current()").executeQuery()) {
        rs.next();
        txids.add(rs.getLong(1));
      }
      return insert(k).apply(s);
    };
  }
}
