package io.bulwark.saga.internal;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.Compensation;
import io.bulwark.saga.Step;
import io.bulwark.saga.internal.Control.Fenced;
import io.bulwark.saga.internal.Control.Release;
import io.bulwark.saga.testing.StepFaults;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Compensates a failed run's completed steps in reverse order; the members of a parallel group
 * together. Each compensation attempt's outcome is stored before anything else happens: success
 * (COMPENSATED), a retry (COMPENSATING with the attempt count and the next attempt's time; the run
 * waits durably) or exhaustion (COMPENSATION_FAILED; the run parks with the cause).
 */
final class Compensator {
  private final Execution ex;

  Compensator(Execution ex) {
    this.ex = ex;
  }

  private sealed interface Result permits Done, Wait, ParkIt {}

  private record Done() implements Result {}

  private record Wait(long at) implements Result {}

  private record ParkIt(String cause) implements Result {}

  void run() {
    TreeMap<Integer, List<Rows.StepRow>> groups = new TreeMap<>();
    for (Rows.StepRow r : ex.reloadSteps()) {
      boolean pending =
          r.status().equals("COMPLETED")
              || r.status().equals("COMPENSATING")
              || r.status().equals("COMPENSATION_FAILED");
      if (r.hasCompensation() && r.kind().equals("STEP") && pending) {
        groups.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
      }
    }
    for (Map.Entry<Integer, List<Rows.StepRow>> g : groups.descendingMap().entrySet()) {
      List<Result> results = runGroup(g.getValue());
      long wake = Long.MAX_VALUE;
      for (Result r : results) {
        if (r instanceof ParkIt p) {
          ex.park(p.cause(), "COMP");
          return;
        }
        if (r instanceof Wait w) {
          wake = Math.min(wake, w.at());
        }
      }
      if (wake != Long.MAX_VALUE) {
        ex.suspend(wake, "COMPENSATING");
        return;
      }
    }
    String parent = ex.row().parentRunId();
    ex.write(
        (s, now) -> {
          PreparedStatement ps =
              s.prepare(
                  "UPDATE saga_runs SET status = 'COMPENSATED', owner = NULL, lease_until = NULL,"
                      + " wake_at = NULL WHERE run_id = ?");
          ps.setString(1, ex.runId);
          ps.executeUpdate();
          SagaEngineImpl.event(s, ex.runId, now, "compensated", "every completed step undone");
          if (parent != null) {
            PreparedStatement p =
                s.prepare(
                    "UPDATE saga_runs SET signal_seq = signal_seq + 1, wake_at = CASE WHEN status"
                        + " = 'WAITING' THEN ? ELSE wake_at END WHERE run_id = ?");
            p.setLong(1, now);
            p.setString(2, parent);
            p.executeUpdate();
          }
        });
    long nanos = Math.max(0, ex.engine.clock.wallMillis() - ex.row().createdAt()) * 1_000_000L;
    SagaCohort.record(
        ex.engine.settings.telemetry().endpoint("saga." + ex.row().workflow()),
        Outcome.ERROR,
        nanos,
        ex.context,
        null);
    ex.engine.runChanged(ex.runId);
    if (parent != null) {
      ex.engine.wake();
    }
  }

  private List<Result> runGroup(List<Rows.StepRow> rows) {
    if (rows.size() == 1) {
      return List.of(one(rows.get(0)));
    }
    Result[] out = new Result[rows.size()];
    Throwable[] errors = new Throwable[rows.size()];
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      int k = i;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      out[k] = one(rows.get(k));
                    } catch (Throwable t) {
                      errors[k] = t;
                    }
                  }));
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new Release();
      }
    }
    for (Throwable t : errors) {
      if (t instanceof Error e) {
        throw e;
      }
      if (t instanceof RuntimeException e) {
        throw e;
      }
    }
    List<Result> list = new ArrayList<>();
    for (Result r : out) {
      if (r != null) {
        list.add(r);
      }
    }
    return list;
  }

  private Result one(Rows.StepRow row) {
    Step<?> step = ex.compensable.get(row.index());
    if (step == null || !step.name().equals(row.name()) || step.compensation() == null) {
      String cause =
          "run "
              + ex.runId
              + ": the compensation of step '"
              + row.name()
              + "' (index "
              + row.index()
              + ") is not known to the code of "
              + ex.def().key()
              + " any more";
      return new ParkIt(cause);
    }
    long now = ex.engine.clock.wallMillis();
    if (row.status().equals("COMPENSATING") && row.nextAttemptAt() > now) {
      return new Wait(row.nextAttemptAt());
    }
    if (ex.engine.closed()) {
      throw new Release();
    }
    return attempt(row, step, row.compAttempts() + 1);
  }

  private <T> Result attempt(Rows.StepRow row, Step<T> step, int attempt) {
    SagaEngineImpl engine = ex.engine;
    TelemetrySpan span =
        engine
            .settings
            .telemetry()
            .tracing()
            .startSpan("saga.compensate " + step.name(), SpanKind.INTERNAL, ex.context);
    span.attribute("saga.step.attempt", attempt);
    StepRunner.StepCtx sc =
        new StepRunner.StepCtx(ex.runId, step.name(), row.index(), attempt, span.context(), false);
    Throwable failure = null;
    long t0 = engine.clock.nanoTime();
    try {
      Exception fault =
          engine
              .settings
              .faults()
              .faultFor(ex.row().workflow(), step.name(), StepFaults.Target.COMPENSATION, attempt);
      if (fault != null) {
        throw fault;
      }
      @Nullable T result = engine.json.decode(row.outputJson(), step.type());
      Compensation<T> comp = java.util.Objects.requireNonNull(step.compensation());
      span.context().run(() -> compensateUnchecked(comp, sc, result));
    } catch (Fenced | Release c) {
      span.end();
      throw c;
    } catch (Throwable e) {
      failure = e instanceof Wrapped w ? w.getCause() : e;
    }
    long took = engine.clock.nanoTime() - t0;
    String red = "saga." + ex.row().workflow() + "." + step.name() + ".compensate";
    SagaCohort.tag(span, ex.context, null);
    SagaCohort.record(
        engine.settings.telemetry().dependency(red), Outcome.of(failure), took, ex.context, null);
    if (failure == null) {
      span.end();
      writeStep(row, "COMPENSATED", null, attempt, 0, "compensated");
      return new Done();
    }
    span.fail(failure);
    span.end();
    RetryConfig retry =
        step.compensationRetry() != null
            ? step.compensationRetry()
            : engine.settings.defaultCompensationRetry();
    String error = StepRunner.describe(failure);
    // an undo must keep trying: every failure is retried up to the policy's attempts, except the
    // ones its ignore predicate names (the retryOn classification is for forward steps)
    boolean retriable = !retry.ignorePredicate().test(failure);
    if (retriable && attempt < retry.maxAttempts()) {
      long delay = StepRunner.backoffMillis(retry, attempt);
      long next = engine.clock.wallMillis() + delay;
      writeStep(row, "COMPENSATING", error, attempt, next, "compensation-retry");
      engine
          .settings
          .telemetry()
          .decisions()
          .record(
              "saga",
              "retry",
              "run "
                  + ex.runId
                  + " compensation of "
                  + step.name()
                  + " attempt "
                  + attempt
                  + " failed ("
                  + error
                  + "); next attempt in "
                  + delay
                  + " ms");
      return new Wait(next);
    }
    writeStep(row, "COMPENSATION_FAILED", error, attempt, 0, "compensation-failed");
    return new ParkIt(
        "run "
            + ex.runId
            + ": compensation of step "
            + step.name()
            + " failed after "
            + attempt
            + (attempt == 1 ? " attempt: " : " attempts: ")
            + error);
  }

  private static final class Wrapped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Wrapped(Throwable cause) {
      super(cause);
    }
  }

  private static <T> void compensateUnchecked(
      Compensation<T> comp, StepRunner.StepCtx sc, @Nullable T result) {
    try {
      comp.compensate(sc, result);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new Wrapped(e);
    }
  }

  private void writeStep(
      Rows.StepRow row, String status, @Nullable String error, int attempt, long next, String ev) {
    ex.write(
        (s, now) -> {
          PreparedStatement ps =
              s.prepare(
                  "UPDATE saga_steps SET status = ?, error = ?, comp_attempts = ?,"
                      + " next_attempt_at = ?, ended_at = ? WHERE run_id = ? AND idx = ?");
          ps.setString(1, status);
          Rows.setNullableString(ps, 2, error);
          ps.setInt(3, attempt);
          Rows.setNullableLong(ps, 4, next);
          Rows.setNullableLong(ps, 5, status.equals("COMPENSATING") ? 0 : now);
          ps.setString(6, ex.runId);
          ps.setInt(7, row.index());
          ps.executeUpdate();
          SagaEngineImpl.event(
              s,
              ex.runId,
              now,
              ev,
              row.name() + " attempt " + attempt + (error == null ? "" : ": " + error));
        });
  }
}
