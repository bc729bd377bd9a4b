package io.bulwark.saga.internal;

import io.bulwark.saga.StepFailedException;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.WorkflowDefinitionException;
import io.bulwark.saga.internal.Control.StopReplay;
import io.bulwark.saga.internal.Control.Suspend;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The durable waits: sleep (a stored wake-up time), a signal (consumed from {@code saga_signals} in
 * the same transaction that completes the step, or empty after its timeout) and a child run
 * (started idempotently under {@code <run id>/<name>}, its outcome copied into the step).
 */
final class Waits {
  private final Execution ex;

  Waits(Execution ex) {
    this.ex = ex;
  }

  void sleep(int idx, String name, Duration duration) {
    Rows.StepRow row = ex.storedAt(idx, name, "SLEEP");
    if (row != null && row.status().equals("COMPLETED")) {
      return;
    }
    if (ex.replay) {
      throw new StopReplay();
    }
    ex.checkInterrupts();
    long now = ex.engine.clock.wallMillis();
    long wakeAt = row != null ? row.nextAttemptAt() : now + Math.max(0, duration.toMillis());
    long started = row != null ? row.startedAt() : now;
    boolean due = now >= wakeAt;
    write(idx, name, "SLEEP", due ? "COMPLETED" : "RUNNING", null, null, due ? 0 : wakeAt, started);
    if (!due) {
      throw new Suspend(wakeAt);
    }
  }

  <T> Optional<T> awaitSignal(
      int idx, String name, String signal, Class<T> type, Duration timeout) {
    Rows.StepRow row = ex.storedAt(idx, name, "SIGNAL");
    if (row != null && row.status().equals("COMPLETED")) {
      return Optional.ofNullable(ex.engine.json.decode(row.outputJson(), type));
    }
    if (ex.replay) {
      throw new StopReplay();
    }
    ex.checkInterrupts();
    long now = ex.engine.clock.wallMillis();
    long deadline = row != null ? row.nextAttemptAt() : now + Math.max(0, timeout.toMillis());
    long started = row != null ? row.startedAt() : now;
    String[] payload = {null};
    boolean[] got = {false};
    ex.write(
        (s, t) -> {
          PreparedStatement find =
              s.prepare(
                  "SELECT id, payload_json FROM saga_signals WHERE run_id = ? AND name = ? AND"
                      + " consumed = 0 ORDER BY id LIMIT 1");
          find.setString(1, ex.runId);
          find.setString(2, signal);
          long id = -1;
          try (ResultSet rs = find.executeQuery()) {
            if (rs.next()) {
              id = rs.getLong(1);
              payload[0] = rs.getString(2);
            }
          }
          if (id >= 0) {
            PreparedStatement use = s.prepare("UPDATE saga_signals SET consumed = 1 WHERE id = ?");
            use.setLong(1, id);
            use.executeUpdate();
            got[0] = true;
            upsert(s, t, idx, name, "SIGNAL", "COMPLETED", payload[0], null, 0, started);
            SagaEngineImpl.event(s, ex.runId, t, "signal-received", name + ": " + signal);
          } else if (t >= deadline) {
            upsert(s, t, idx, name, "SIGNAL", "COMPLETED", null, "timed out", 0, started);
            SagaEngineImpl.event(s, ex.runId, t, "signal-timeout", name + ": " + signal);
          } else {
            upsert(s, t, idx, name, "SIGNAL", "RUNNING", null, null, deadline, started);
          }
        });
    if (got[0]) {
      return Optional.ofNullable(ex.engine.json.decode(payload[0], type));
    }
    if (ex.engine.clock.wallMillis() >= deadline || now >= deadline) {
      return Optional.empty();
    }
    throw new Suspend(deadline);
  }

  @SuppressWarnings("NullAway") // a child's output may be null (a Void workflow)
  <C, R> R child(int idx, String name, WorkflowDefinition<C, R> d, C input) {
    Rows.StepRow row = ex.storedAt(idx, name, "CHILD");
    if (row != null && row.status().equals("COMPLETED")) {
      return ex.engine.json.decode(row.outputJson(), d.outputType());
    }
    if (ex.replay) {
      throw new StopReplay();
    }
    String childId = ex.runId + "/" + name;
    if (row != null && row.status().equals("FAILED")) {
      throw new StepFailedException(ex.runId, name, 1, String.valueOf(row.error()), null);
    }
    long now = ex.engine.clock.wallMillis();
    if (row == null) {
      ex.checkInterrupts();
      if (!ex.engine.settings.definitions().containsKey(d.key())) {
        throw new WorkflowDefinitionException(
            "run " + ex.runId + ": child " + name + " uses " + d.key() + ", not registered");
      }
      String inputJson = ex.engine.json.encode(childId, "input", input);
      ex.engine.insertRun(d, childId, inputJson, d.queue(), 0, null, ex.context, ex.runId);
      write(idx, name, "CHILD", "RUNNING", null, null, 0, now);
      ex.engine.wake();
    }
    Rows.Run child = ex.engine.readRun(childId);
    long started = row != null ? row.startedAt() : now;
    if (child != null && child.status() == io.bulwark.saga.RunStatus.COMPLETED) {
      write(idx, name, "CHILD", "COMPLETED", child.outputJson(), null, 0, started);
      return ex.engine.json.decode(child.outputJson(), d.outputType());
    }
    if (child != null && child.status() == io.bulwark.saga.RunStatus.COMPENSATED) {
      String error = "child run " + childId + " was compensated: " + child.cause();
      write(idx, name, "CHILD", "FAILED", null, error, 0, started);
      throw new StepFailedException(ex.runId, name, 1, "run " + ex.runId + ": " + error, null);
    }
    throw new Suspend(Long.MAX_VALUE);
  }

  private void write(
      int idx,
      String name,
      String kind,
      String status,
      @Nullable String out,
      @Nullable String error,
      long next,
      long started) {
    ex.write((s, now) -> upsert(s, now, idx, name, kind, status, out, error, next, started));
  }

  private void upsert(
      Writer.Statements s,
      long now,
      int idx,
      String name,
      String kind,
      String status,
      @Nullable String out,
      @Nullable String error,
      long next,
      long started)
      throws SQLException {
    boolean ended = status.equals("COMPLETED") || status.equals("FAILED");
    Rows.StepRow row =
        new Rows.StepRow(
            idx, name, kind, idx, status, out, error, 0, 0, next, started, ended ? now : 0, false);
    PreparedStatement ps = s.prepare(Rows.UPSERT_STEP);
    Rows.bindStep(ps, ex.runId, row);
    ps.executeUpdate();
    if (ended && !kind.equals("SIGNAL")) {
      SagaEngineImpl.event(
          s,
          ex.runId,
          now,
          kind.toLowerCase(java.util.Locale.ROOT) + "-" + status.toLowerCase(java.util.Locale.ROOT),
          name);
    }
  }
}
