package io.bulwark.saga.http;

import io.bulwark.saga.PayloadTooLargeException;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunSummary;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStoreException;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.UnknownRunException;
import io.bulwark.saga.WorkflowDefinition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in engine for the routes' own tests: holds run views, records every call the routes make,
 * and refuses as the {@link SagaEngine} contract says (unknown run, an action the run's status does
 * not allow, a payload over the limit, an unreachable store). The routes against the real engine
 * are {@link SagaRoutesEngineTest}.
 */
final class RecordingEngine implements SagaEngine {
  final Map<String, RunView> runs = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<RunQuery> queries = new CopyOnWriteArrayList<>();
  final List<Object> signals = new CopyOnWriteArrayList<>();
  volatile List<RunSummary> listing = List.of();
  volatile List<String> missing = List.of();
  volatile int maxPayloadBytes = 64;
  volatile boolean storeDown;

  @Override
  public String executorId() {
    return "executor-a";
  }

  @Override
  public <I, O> RunHandle<O> start(WorkflowDefinition<I, O> definition, String runId, I input) {
    throw new UnsupportedOperationException("the routes never start runs");
  }

  @Override
  public <I, O> RunHandle<O> start(
      WorkflowDefinition<I, O> definition, String runId, I input, StartOptions options) {
    throw new UnsupportedOperationException("the routes never start runs");
  }

  @Override
  public <O> RunHandle<O> handle(String runId, Class<O> outputType) {
    throw new UnsupportedOperationException("the routes never take handles");
  }

  @Override
  public Optional<RunView> run(String runId) {
    storeUp();
    return Optional.ofNullable(runs.get(runId));
  }

  @Override
  public List<RunSummary> runs(RunQuery query) {
    storeUp();
    calls.add("runs");
    queries.add(query);
    return listing;
  }

  @Override
  public void signal(String runId, String name, Object payload) {
    calls.add("signal " + runId + " " + name);
    known(runId);
    String json = payload.toString();
    if (json.length() > maxPayloadBytes) {
      throw new PayloadTooLargeException(runId, "signal " + name, json.length(), maxPayloadBytes);
    }
    signals.add(payload);
  }

  @Override
  public void cancel(String runId, String reason) {
    calls.add("cancel " + runId + " " + reason);
    RunView v = known(runId);
    if (v.status().isFinal()) {
      throw new IllegalStateException("run " + runId + " has ended " + v.status());
    }
    put(v, RunStatus.COMPENSATING);
  }

  @Override
  public void retry(String runId) {
    calls.add("retry " + runId);
    put(parked(runId), RunStatus.RUNNING);
  }

  @Override
  public void skip(String runId) {
    calls.add("skip " + runId);
    put(parked(runId), RunStatus.COMPENSATING);
  }

  @Override
  public List<String> missingDefinitions() {
    return missing;
  }

  @Override
  public List<String> definitions() {
    return List.of("order@3", "refund@1");
  }

  @Override
  public void close() {}

  /** Calls that act on runs (not reads). */
  List<String> actions() {
    return calls.stream().filter(c -> !c.equals("runs")).toList();
  }

  private RunView parked(String runId) {
    RunView v = known(runId);
    if (v.status() != RunStatus.PARKED) {
      throw new IllegalStateException("run " + runId + " is " + v.status() + ", not PARKED");
    }
    return v;
  }

  private RunView known(String runId) {
    storeUp();
    RunView v = runs.get(runId);
    if (v == null) {
      throw new UnknownRunException(runId);
    }
    return v;
  }

  private void storeUp() {
    if (storeDown) {
      throw new SagaStoreException("saga store jdbc:sqlite:/tmp/sagas.db cannot be reached", null);
    }
  }

  private void put(RunView v, RunStatus status) {
    runs.put(
        v.runId(),
        new RunView(
            v.runId(),
            v.workflow(),
            v.version(),
            status,
            v.queue(),
            v.priority(),
            v.parentRunId(),
            v.inputJson(),
            v.outputJson(),
            v.cause(),
            v.owner(),
            v.createdAt(),
            v.updatedAt(),
            v.state(),
            v.steps(),
            v.timeline()));
  }
}
