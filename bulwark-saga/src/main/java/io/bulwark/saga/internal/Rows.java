package io.bulwark.saga.internal;

import io.bulwark.saga.RunEvent;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.StepView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** The rows of the saga tables as records, and the SQL that reads and writes them. */
final class Rows {
  private Rows() {}

  static final String RUN_COLUMNS =
      "run_id, workflow, version, status, phase, queue, priority, parent_run_id, input_json,"
          + " output_json, cause, owner, lease_until, fence, wake_at, deadline_at, context_json,"
          + " state_json, cancel_requested, created_at, updated_at, signal_seq";

  /** One row of {@code saga_runs}. */
  record Run(
      String runId,
      String workflow,
      int version,
      RunStatus status,
      String phase,
      String queue,
      int priority,
      @Nullable String parentRunId,
      String inputJson,
      @Nullable String outputJson,
      @Nullable String cause,
      @Nullable String owner,
      long leaseUntil,
      long fence,
      long wakeAt,
      long deadlineAt,
      @Nullable String contextJson,
      @Nullable String stateJson,
      boolean cancelRequested,
      long createdAt,
      long updatedAt,
      long signalSeq) {
    String key() {
      return workflow + "@" + version;
    }

    /** This row as its completion with {@code outputJson} at {@code now} left it. */
    Run completed(String outputJson, long now) {
      return new Run(
          runId,
          workflow,
          version,
          RunStatus.COMPLETED,
          phase,
          queue,
          priority,
          parentRunId,
          inputJson,
          outputJson,
          cause,
          null,
          0,
          fence,
          0,
          deadlineAt,
          contextJson,
          stateJson,
          cancelRequested,
          createdAt,
          now,
          signalSeq);
    }

    /** This row as a claim by {@code owner} left it (a fresh run: no steps yet). */
    Run claimed(String owner, long newFence) {
      return new Run(
          runId,
          workflow,
          version,
          RunStatus.RUNNING,
          phase,
          queue,
          priority,
          parentRunId,
          inputJson,
          outputJson,
          cause,
          owner,
          leaseUntil,
          newFence,
          0,
          deadlineAt,
          contextJson,
          stateJson,
          cancelRequested,
          createdAt,
          updatedAt,
          signalSeq);
    }
  }

  /** One row of {@code saga_steps}. */
  record StepRow(
      int index,
      String name,
      String kind,
      int group,
      String status,
      @Nullable String outputJson,
      @Nullable String error,
      int attempts,
      int compAttempts,
      long nextAttemptAt,
      long startedAt,
      long endedAt,
      boolean hasCompensation) {
    StepView view() {
      return new StepView(
          index,
          name,
          kind,
          status,
          outputJson,
          error,
          attempts,
          compAttempts,
          nextAttemptAt == 0 ? null : Instant.ofEpochMilli(nextAttemptAt),
          startedAt == 0 ? null : Instant.ofEpochMilli(startedAt),
          endedAt == 0 ? null : Instant.ofEpochMilli(endedAt));
    }
  }

  static @Nullable Run readRun(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM saga_runs WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? run(rs) : null;
      }
    }
  }

  static Run run(ResultSet rs) throws SQLException {
    return new Run(
        rs.getString(1),
        rs.getString(2),
        rs.getInt(3),
        RunStatus.valueOf(rs.getString(4)),
        rs.getString(5),
        rs.getString(6),
        rs.getInt(7),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        rs.getString(11),
        rs.getString(12),
        rs.getLong(13),
        rs.getLong(14),
        rs.getLong(15),
        rs.getLong(16),
        rs.getString(17),
        rs.getString(18),
        rs.getInt(19) != 0,
        rs.getLong(20),
        rs.getLong(21),
        rs.getLong(22));
  }

  static java.util.NavigableMap<Integer, StepRow> readSteps(Connection c, String runId)
      throws SQLException {
    TreeMap<Integer, StepRow> steps = new TreeMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT idx, name, kind, grp, status, output_json, error, attempts, comp_attempts,"
                + " next_attempt_at, started_at, ended_at, has_comp FROM saga_steps WHERE run_id"
                + " = ? ORDER BY idx")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          StepRow r =
              new StepRow(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getInt(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getInt(8),
                  rs.getInt(9),
                  rs.getLong(10),
                  rs.getLong(11),
                  rs.getLong(12),
                  rs.getInt(13) != 0);
          steps.put(r.index(), r);
        }
      }
    }
    return steps;
  }

  static List<RunEvent> readTimeline(Connection c, String runId) throws SQLException {
    List<RunEvent> events = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT at, kind, detail FROM saga_events WHERE run_id = ? ORDER BY id")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          events.add(
              new RunEvent(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3)));
        }
      }
    }
    return events;
  }

  /** Upserts a step row (never downgrades a COMPLETED step to another status). */
  static final String UPSERT_STEP =
      "INSERT INTO saga_steps (run_id, idx, name, kind, grp, status, output_json, error, attempts,"
          + " comp_attempts, next_attempt_at, started_at, ended_at, has_comp) VALUES (?, ?, ?, ?,"
          + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, idx) DO UPDATE SET status ="
          + " excluded.status, output_json = excluded.output_json, error = excluded.error,"
          + " attempts = excluded.attempts, comp_attempts = excluded.comp_attempts,"
          + " next_attempt_at = excluded.next_attempt_at, ended_at = excluded.ended_at";

  static void bindStep(PreparedStatement ps, String runId, StepRow s) throws SQLException {
    ps.setString(1, runId);
    ps.setInt(2, s.index());
    ps.setString(3, s.name());
    ps.setString(4, s.kind());
    ps.setInt(5, s.group());
    ps.setString(6, s.status());
    setNullableString(ps, 7, s.outputJson());
    setNullableString(ps, 8, s.error());
    ps.setInt(9, s.attempts());
    ps.setInt(10, s.compAttempts());
    setNullableLong(ps, 11, s.nextAttemptAt());
    setNullableLong(ps, 12, s.startedAt());
    setNullableLong(ps, 13, s.endedAt());
    ps.setInt(14, s.hasCompensation() ? 1 : 0);
  }

  static void setNullableString(PreparedStatement ps, int i, @Nullable String v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  /** 0 is stored as NULL (no time). */
  static void setNullableLong(PreparedStatement ps, int i, long v) throws SQLException {
    if (v == 0) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  static Map<String, String> stateMap(@Nullable String json, Json codec) {
    return json == null ? Map.of() : codec.stringMap(json);
  }
}
