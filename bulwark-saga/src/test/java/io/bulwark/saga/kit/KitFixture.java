package io.bulwark.saga.kit;

import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.VirtualScheduler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every kit test needs: engines configured for tests (fast retries in real time, or hour-long
 * polls under a {@link VirtualScheduler} so that days of virtual time cost a few timer ticks), the
 * user table and outbox queries of transactional steps, and closing everything a test opened.
 */
public class KitFixture {
  /** The table a transactional step of the kit writes to; deliberately without a unique key. */
  public static final String ROWS = "kit_rows";

  /** The table bulwark-events' Outbox uses by default, which the saga store's outbox uses. */
  public static final String OUTBOX = "bulwark_outbox";

  /** The executor id of a restarted process: the same id before and after the restart. */
  public static final String EXECUTOR = "kit-executor";

  /** A failure that step and compensation policies retry. */
  public static final class Boom extends RuntimeException {
    public Boom(String message) {
      super(message);
    }
  }

  /** A failure that no kit policy retries. */
  public static final class Fatal extends RuntimeException {
    public Fatal(String message) {
      super(message);
    }
  }

  /** Three attempts 10 ms apart; everything but {@link Fatal} is retried. */
  public static final RetryConfig FAST_RETRY =
      RetryConfig.builder()
          .maxAttempts(3)
          .fixedDelay(Duration.ofMillis(10))
          .retryOn(t -> !(t instanceof Fatal))
          .build();

  /** One attempt: the first failure is final. */
  public static final RetryConfig NO_RETRY = RetryConfig.builder().maxAttempts(1).build();

  /** A one-step workflow; register it where a test runs {@code runMarker}. */
  public static final WorkflowDefinition<String, String> MARKER =
      WorkflowDefinition.builder(
              "kit-marker",
              String.class,
              String.class,
              (wf, in) -> wf.step("mark", String.class, s -> in))
          .build();

  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Closes {@code resource} when the test ends (engines before the stores opened before them). */
  public <T extends AutoCloseable> T track(T resource) {
    opened.add(resource);
    return resource;
  }

  /** An engine in real time: 50 ms polls, fast retries, a 3 s lease. */
  public SagaEngine.Builder real(SagaStore store) {
    return SagaEngine.builder(store)
        .executorId(EXECUTOR)
        .poll(Duration.ofMillis(50))
        .lease(Duration.ofSeconds(3), Duration.ofSeconds(1))
        .defaultRetry(FAST_RETRY)
        .defaultCompensationRetry(FAST_RETRY)
        .defaultStepTimeout(Duration.ofSeconds(20));
  }

  /**
   * An engine in virtual time: polls and heartbeats once an hour (so advancing days runs a few
   * dozen ticks), fast retries, a generous step timeout.
   */
  public SagaEngine.Builder virtual(SagaStore store, VirtualScheduler scheduler) {
    return SagaEngine.builder(store)
        .executorId(EXECUTOR)
        .scheduler(scheduler)
        .poll(Duration.ofHours(1))
        .lease(Duration.ofHours(3), Duration.ofHours(1))
        .defaultRetry(FAST_RETRY)
        .defaultCompensationRetry(FAST_RETRY)
        .defaultStepTimeout(Duration.ofHours(1));
  }

  /** Builds {@code builder}'s engine and closes it at the end of the test. */
  public SagaEngine start(SagaEngine.Builder builder) {
    return track(builder.build());
  }

  /** Creates {@link #ROWS} in the store's database. */
  public static void createRows(SagaStore store) throws SQLException {
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + ROWS + " (run_id VARCHAR(200) NOT NULL, note VARCHAR(200))");
    }
  }

  /** Inserts a row in the step's transaction. */
  public static void insertRow(Connection tx, String runId, String note) throws SQLException {
    try (PreparedStatement ps =
        tx.prepareStatement("INSERT INTO " + ROWS + " (run_id, note) VALUES (?, ?)")) {
      ps.setString(1, runId);
      ps.setString(2, note);
      ps.executeUpdate();
    }
  }

  /** The notes of {@code runId}'s committed rows. */
  public static List<String> rows(SagaStore store, String runId) throws SQLException {
    List<String> notes = new ArrayList<>();
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT note FROM " + ROWS + " WHERE run_id = ? ORDER BY note")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          notes.add(rs.getString(1));
        }
      }
    }
    return notes;
  }

  /** How many committed outbox rows {@code topic} has. */
  public static int outboxCount(SagaStore store, String topic) throws SQLException {
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM " + OUTBOX + " WHERE topic = ?")) {
      ps.setString(1, topic);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Closes what the test opened, newest first. */
  public void closeAll() throws Exception {
    Exception first = null;
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    opened.clear();
    if (first != null) {
      throw first;
    }
  }
}
