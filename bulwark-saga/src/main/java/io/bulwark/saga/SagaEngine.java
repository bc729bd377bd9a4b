package io.bulwark.saga;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.config.Checks;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.internal.Engines;
import io.bulwark.saga.testing.StepFaults;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs workflows durably on a {@link SagaStore}. One engine per process and store is the usual
 * set-up; several engines (in one or several JVMs) sharing a PostgreSQL store are executors of one
 * cluster: each holds its runs under a lease it renews, and adopts the runs of an executor whose
 * lease expired. Thread-safe.
 *
 * <p>{@link Builder#build()} registers the executor, recovers this executor's and adoptable runs,
 * and starts running queued runs; it fails fast with {@link SagaStoreException} (naming the URL)
 * when the store cannot be reached.
 */
public interface SagaEngine extends AutoCloseable {

  /** Starts building an engine on {@code store}. */
  static Builder builder(SagaStore store) {
    return new Builder(store);
  }

  /** This executor's id. */
  String executorId();

  /**
   * Starts run {@code runId} of {@code definition} with {@code input}, under the caller's current
   * context. Idempotent: if the run id exists, returns that run ({@link RunHandle#created()} is
   * false) whatever its input was.
   *
   * @throws WorkflowDefinitionException if {@code definition} is not registered with this engine
   * @throws PayloadTooLargeException if the input's JSON is over the payload limit
   */
  <I, O> RunHandle<O> start(WorkflowDefinition<I, O> definition, String runId, I input);

  /** As {@link #start(WorkflowDefinition, String, Object)}, with queue, priority, key, context. */
  <I, O> RunHandle<O> start(
      WorkflowDefinition<I, O> definition, String runId, I input, StartOptions options);

  /** A handle on an existing run. @throws UnknownRunException if there is none */
  <O> RunHandle<O> handle(String runId, Class<O> outputType);

  /** Everything stored about a run, or empty. */
  Optional<RunView> run(String runId);

  /** Runs matching {@code query}, newest first. */
  List<RunSummary> runs(RunQuery query);

  /**
   * Sends signal {@code name} with {@code payload} (JSON) to a run; kept until the run waits for
   * it. @throws UnknownRunException if there is no such run
   */
  void signal(String runId, String name, Object payload);

  /** Cancels a run that has not ended: it compensates its completed steps. */
  void cancel(String runId, String reason);

  /**
   * Retries a PARKED run from where it stopped (the compensation or step that parked it gets a new
   * set of attempts; a run parked for a code mismatch re-checks its steps against the code).
   */
  void retry(String runId);

  /**
   * Skips what parked a PARKED run: the failed compensation is marked skipped (recorded on the
   * timeline) and compensation goes on with the next step.
   */
  void skip(String runId);

  /**
   * The definitions ({@code name@version}) that unfinished runs in the store need and this engine
   * does not have, as found at start-up and since.
   */
  List<String> missingDefinitions();

  /** The definitions ({@code name@version}) registered with this engine, sorted. */
  List<String> definitions();

  /** Stops taking runs and waits for running steps to reach a checkpoint; leases lapse. */
  @Override
  void close();

  /** Builds a {@link SagaEngine}. */
  final class Builder {
    private final SagaStore store;
    private final Map<String, WorkflowDefinition<?, ?>> definitions = new LinkedHashMap<>();
    private final Map<String, QueueConfig> queues = new LinkedHashMap<>();
    private String executorId = "executor-" + UUID.randomUUID();
    private Duration lease = Duration.ofSeconds(30);
    private Duration heartbeat = Duration.ofSeconds(10);
    private Duration poll = Duration.ofSeconds(1);
    private int workers = 256;
    private int maxPayloadBytes = 256 * 1024;
    private RetryConfig defaultRetry =
        RetryConfig.builder()
            .maxAttempts(5)
            .backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(30))
            .build();
    private RetryConfig defaultCompensationRetry =
        RetryConfig.builder()
            .maxAttempts(10)
            .backoff(Duration.ofMillis(200), 2.0, Duration.ofMinutes(5))
            .build();
    private Duration defaultStepTimeout = Duration.ofSeconds(30);
    private Scheduler scheduler = Scheduler.system();
    private Telemetry telemetry = Telemetry.noop();
    private ObjectMapper mapper = new ObjectMapper();
    private StepFaults faults = StepFaults.none();

    private Builder(SagaStore store) {
      this.store = Objects.requireNonNull(store, "store");
      // no limit unless configured: a run on it needs no cross-executor count at its start
      queues.put(QueueConfig.DEFAULT_QUEUE, QueueConfig.unlimited(QueueConfig.DEFAULT_QUEUE));
    }

    /** Registers definitions this executor can run. */
    public Builder register(WorkflowDefinition<?, ?>... definitions) {
      for (WorkflowDefinition<?, ?> d : definitions) {
        Objects.requireNonNull(d, "definition");
        if (this.definitions.putIfAbsent(d.key(), d) != null) {
          throw new WorkflowDefinitionException("workflow " + d.key() + " is registered twice");
        }
      }
      return this;
    }

    /** Adds or replaces a queue. */
    public Builder queue(QueueConfig queue) {
      queues.put(queue.name(), Objects.requireNonNull(queue, "queue"));
      return this;
    }

    public Builder executorId(String id) {
      this.executorId = Names.check("executor id", id);
      return this;
    }

    /** The lease and the heartbeat that renews it (at most a third of the lease). */
    public Builder lease(Duration lease, Duration heartbeat) {
      Checks.positive("lease", lease);
      Checks.positive("heartbeat", heartbeat);
      if (heartbeat.multipliedBy(3).compareTo(lease) > 0) {
        throw new IllegalArgumentException(
            "heartbeat " + heartbeat + " must be at most a third of the lease " + lease);
      }
      this.lease = lease;
      this.heartbeat = heartbeat;
      return this;
    }

    public Builder poll(Duration poll) {
      this.poll = Checks.positive("poll", poll);
      return this;
    }

    public Builder workers(int workers) {
      this.workers = Checks.positive("workers", workers);
      return this;
    }

    public Builder maxPayloadBytes(int bytes) {
      this.maxPayloadBytes = Checks.positive("maxPayloadBytes", bytes);
      return this;
    }

    public Builder defaultRetry(RetryConfig retry) {
      this.defaultRetry = Objects.requireNonNull(retry, "defaultRetry");
      return this;
    }

    public Builder defaultCompensationRetry(RetryConfig retry) {
      this.defaultCompensationRetry = Objects.requireNonNull(retry, "defaultCompensationRetry");
      return this;
    }

    public Builder defaultStepTimeout(Duration timeout) {
      this.defaultStepTimeout = Checks.positive("defaultStepTimeout", timeout);
      return this;
    }

    /** The scheduler whose clock and timers the engine uses (a virtual one in tests). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** The Jackson mapper for inputs, outputs, signals and state. */
    public Builder mapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /** A fault hook for tests: fails chosen steps on chosen attempts. */
    public Builder faults(StepFaults faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    /** The settings as validated so far. */
    public EngineSettings settings() {
      return new EngineSettings(
          store,
          definitions,
          queues,
          executorId,
          lease,
          heartbeat,
          poll,
          workers,
          maxPayloadBytes,
          defaultRetry,
          defaultCompensationRetry,
          defaultStepTimeout,
          scheduler,
          telemetry,
          mapper,
          faults);
    }

    /** Builds and starts the engine (see the interface's documentation). */
    public SagaEngine build() {
      for (WorkflowDefinition<?, ?> d : definitions.values()) {
        if (!queues.containsKey(d.queue())) {
          throw new IllegalArgumentException(
              "workflow " + d.key() + " uses queue '" + d.queue() + "', which is not configured");
        }
      }
      return Engines.start(settings());
    }
  }
}
