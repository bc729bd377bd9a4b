package io.bulwark.bench.saga;

import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.StepView;
import io.bulwark.saga.WorkflowDefinition;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bulwark-saga running the 3-step workflow: each starter starts a run with its own run id and
 * awaits its output. Steps are plain (at-least-once, checkpointed) steps with the engine's
 * defaults. A plain step's checkpoint commits with the run's next write (before the next step's
 * action starts; the last one with the completion), so each step's time spans its action and its
 * checkpoint's commit: from the step's call to the next step's action starting, and for the last
 * step from its action starting to {@code await} returning the committed output. The start spans
 * the {@code start} call (the run's insert and its commit) to the workflow's code running.
 */
final class BulwarkDriver implements SagaDriver {
  private static final Duration AWAIT = Duration.ofSeconds(120);

  private final SagaStore store;
  private final SagaEngine engine;
  private final WorkflowDefinition<Long, String> definition;
  private final AtomicLong actions = new AtomicLong();
  private final ConcurrentLinkedQueue<String> recent = new ConcurrentLinkedQueue<>();

  /** Per saga (by input): when its current step's measured span began. */
  private final ConcurrentHashMap<Long, long[]> spans = new ConcurrentHashMap<>();

  private volatile StepTimes current = new StepTimes();

  BulwarkDriver(SagaStore store, int concurrency) {
    this.store = store;
    this.definition =
        WorkflowDefinition.<Long, String>builder(
                "bench-order",
                Long.class,
                String.class,
                (wf, n) -> {
                  StepTimes times = current;
                  long[] mark = spans.computeIfAbsent(n, k -> new long[] {0});
                  if (mark[0] != 0) {
                    times.record(StepTimes.START, mark[0]); // the run's insert has committed
                  }
                  mark[0] = System.nanoTime();
                  String a = wf.step("reserve", String.class, s -> act("reserved-", n));
                  String b =
                      wf.step(
                          "charge",
                          String.class,
                          s -> {
                            times.record(1, mark[0]); // reserve's checkpoint has committed
                            mark[0] = System.nanoTime();
                            return act("charged-", n);
                          });
                  String c =
                      wf.step(
                          "ship",
                          String.class,
                          s -> {
                            times.record(2, mark[0]);
                            mark[0] = System.nanoTime();
                            return act("shipped-", n);
                          });
                  return a + "|" + b + "|" + c;
                })
            .build();
    this.engine =
        SagaEngine.builder(store)
            .register(definition)
            // the default queue (no concurrency limit, as DBOS's directly started workflows and
            // the limit loop have none): each start claims its run in its own insert
            .workers(Math.max(256, concurrency * 4))
            .build();
  }

  private String act(String prefix, long n) {
    actions.incrementAndGet();
    return prefix + n;
  }

  @Override
  public String name() {
    return "bulwark";
  }

  @Override
  public String runOne(String runId, long n, StepTimes steps) throws Exception {
    current = steps;
    spans.put(n, new long[] {System.nanoTime()});
    RunHandle<String> handle = engine.start(definition, runId, n);
    if (!handle.created()) {
      throw new IllegalStateException("run " + runId + " already existed");
    }
    String out = handle.await(AWAIT);
    long[] m = spans.remove(n);
    if (m != null) {
      steps.record(3, m[0]); // ship's checkpoint committed with the completion
    }
    if (recent.size() < 64) {
      recent.add(runId + "=" + n);
    }
    return out;
  }

  /** Step actions run (each completed saga runs three; a retried step would run more). */
  long actions() {
    return actions.get();
  }

  @Override
  public Stored countStored() throws Exception {
    // Every completed run was awaited (COMPLETED, output checked). Here the store is counted with
    // SQL (its tables, as bulwark-saga's JdbcSagaStore creates them: a renamed table fails this
    // check loudly) and a sample of runs is read back whole through the public API.
    long runs;
    long steps;
    try (Connection c = store.dataSource().getConnection()) {
      runs =
          LimitDriver.count(
              c,
              "SELECT count(*) FROM saga_runs WHERE status = 'COMPLETED'"
                  + " AND workflow = 'bench-order'");
      steps = LimitDriver.count(c, "SELECT count(*) FROM saga_steps WHERE status = 'COMPLETED'");
    }
    long checked = 0;
    for (String entry : List.copyOf(recent)) {
      String runId = entry.substring(0, entry.indexOf('='));
      long n = Long.parseLong(entry.substring(entry.indexOf('=') + 1));
      Optional<RunView> view = engine.run(runId);
      if (view.isEmpty() || view.get().status() != RunStatus.COMPLETED) {
        throw new IllegalStateException(
            "run " + runId + " was awaited as completed but reads back as " + view);
      }
      List<StepView> stored = view.get().steps();
      String[] expected = SagaDriver.expectedOutput(n).split("\\|");
      if (stored.size() != 3) {
        throw new IllegalStateException("run " + runId + " stored " + stored.size() + " steps");
      }
      for (int i = 0; i < 3; i++) {
        String output = String.valueOf(stored.get(i).outputJson());
        if (!output.contains(expected[i])) {
          throw new IllegalStateException(
              "run " + runId + " step " + i + " stored " + output + ", expected " + expected[i]);
        }
      }
      checked++;
    }
    if (checked == 0) {
      throw new IllegalStateException("no awaited run to read back");
    }
    return new Stored(
        runs,
        steps,
        "SQL count of COMPLETED saga_runs and saga_steps; "
            + checked
            + " runs read back whole through engine.run()");
  }

  @Override
  public void close() {
    engine.close();
    store.close();
  }
}
