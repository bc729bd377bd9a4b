package io.bulwark.resilience;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ReloadableConfig;
import io.bulwark.core.time.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Named pipelines built from config, with hot reload. The YAML:
 *
 * <pre>{@code
 * budgets:
 *   payments: {ratio: 0.2, min-retries-per-second: 10, max-burst: 100}
 * pipelines:
 *   checkout:
 *     deadline: 2s
 *     retry: {max-attempts: 3, initial-delay: 50ms, multiplier: 2, max-delay: 1s, jitter: full,
 *             min-attempt-time: 20ms, budget: payments}
 *     hedge: {max-hedges: 1, delay: 50ms, percentile: 95, min-samples: 20, budget: payments}
 *     throttle: {k: 2, window: 2m}
 *     circuit-breaker: {window: count, window-size: 100, minimum-calls: 20,
 *                      failure-rate-threshold: 50, slow-call-rate-threshold: 80, slow-call-duration: 1s,
 *                      wait-in-open: 30s, half-open-permits: 5, max-wait-in-half-open: 10s}
 *     keyed-rate-limiter: {permits: 10, period: 1s, burst: 5, key: "baggage:tenant", max-keys: 10000}
 *     rate-limiter: {permits: 100, period: 1s, burst: 20, max-wait: 0ms}
 *     timeout: 500ms
 *     bulkhead: {max-concurrent: 20, max-wait: 10ms}
 *     limit: {algorithm: gradient2, initial-limit: 20, min-limit: 1, max-limit: 200,
 *             shares: {critical_plus: 1.0, critical: 0.9, sheddable_plus: 0.75, sheddable: 0.5}}
 * }</pre>
 *
 * Every problem — a bad value, an unknown key or budget, a misconfigured composition — is reported
 * at load time as {@code file:line: field: message}.
 *
 * <p>{@link #pipeline(String)} returns a live handle: each call runs through the snapshot in force.
 * A reload swaps the whole immutable snapshot at once; pipelines and budgets whose config did not
 * change are carried over with their state (breaker window, limiter, budget credit), the others
 * start fresh. A reload that fails keeps the old snapshot and reports the error. Thread-safe.
 */
public final class ResilienceRegistry implements AutoCloseable {
  private final Scheduler scheduler;
  private final List<ResilienceListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<Snapshot> current;
  private @Nullable ReloadableConfig<RegistryConfig> file;

  private ResilienceRegistry(RegistryConfig config, Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.current = new AtomicReference<>(Snapshot.build(config, null, scheduler, listeners));
  }

  /** A registry of {@code config}; reload with {@link #apply}. */
  public static ResilienceRegistry of(RegistryConfig config, Scheduler scheduler) {
    return new ResilienceRegistry(config, scheduler);
  }

  /**
   * A registry loaded from {@code file}, reloaded by {@link #reload()} or {@link #watch}.
   *
   * @throws ConfigException listing every problem of the first load
   */
  public static ResilienceRegistry load(Path file, ConfigLoader loader, Scheduler scheduler) {
    ReloadableConfig<RegistryConfig> reloadable =
        new ReloadableConfig<>(file, loader, RegistryConfig::bind);
    ResilienceRegistry registry = new ResilienceRegistry(reloadable.current(), scheduler);
    registry.file = reloadable;
    reloadable.onChange(registry::apply);
    return registry;
  }

  /** The config in force. */
  public RegistryConfig config() {
    return current.get().config;
  }

  /**
   * A live handle on the named pipeline.
   *
   * @throws IllegalArgumentException naming the known pipelines if there is none of that name
   */
  public Pipeline pipeline(String name) {
    current.get().require(name);
    return new LivePipeline(name, this::resolve);
  }

  /** The named retry budget in force. */
  public RetryBudget budget(String name) {
    RetryBudget budget = current.get().budgets.get(name);
    if (budget == null) {
      throw new IllegalArgumentException(
          "no retry budget \""
              + name
              + "\", known: "
              + new TreeSet<>(current.get().budgets.keySet()));
    }
    return budget;
  }

  /** Receives the events of every pipeline, those in force and those built by later reloads. */
  public void addListener(ResilienceListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    for (Pipeline p : current.get().pipelines.values()) {
      if (p instanceof DefaultPipeline pipeline) {
        pipeline.addListener(listener);
      }
    }
  }

  /** Swaps in {@code next}, keeping pipelines and budgets whose config did not change. */
  public void apply(RegistryConfig next) {
    current.updateAndGet(old -> Snapshot.build(next, old, scheduler, listeners));
  }

  /**
   * Re-reads the file given to {@link #load}; a failed reload keeps the snapshot in force.
   *
   * @return true if a new snapshot is in force
   */
  public boolean reload() {
    return requireFile().reload();
  }

  /** Reloads when the file's modification time changes, checked every {@code interval}. */
  public void watch(Duration interval) {
    requireFile().watch(scheduler, interval);
  }

  /** Called when a reload fails; the previous snapshot stays in force. */
  public void onReloadError(Consumer<ConfigException> listener) {
    requireFile().onError(listener);
  }

  private ReloadableConfig<RegistryConfig> requireFile() {
    ReloadableConfig<RegistryConfig> f = file;
    if (f == null) {
      throw new IllegalStateException("this registry was not loaded from a file");
    }
    return f;
  }

  private Pipeline resolve(String name) {
    Pipeline p = current.get().pipelines.get(name);
    if (p == null) {
      throw new IllegalStateException("pipeline '" + name + "' was removed from the config");
    }
    return p;
  }

  @Override
  public void close() {
    ReloadableConfig<RegistryConfig> f = file;
    if (f != null) {
      f.close();
    }
  }

  /** One immutable generation of the registry. */
  private static final class Snapshot {
    final RegistryConfig config;
    final Map<String, RetryBudget> budgets;
    final Map<String, Pipeline> pipelines;

    private Snapshot(
        RegistryConfig config, Map<String, RetryBudget> budgets, Map<String, Pipeline> pipelines) {
      this.config = config;
      this.budgets = Map.copyOf(budgets);
      this.pipelines = Map.copyOf(pipelines);
    }

    static Snapshot build(
        RegistryConfig config,
        @Nullable Snapshot old,
        Scheduler scheduler,
        List<ResilienceListener> listeners) {
      Map<String, RetryBudget> budgets = new HashMap<>();
      config
          .budgets()
          .forEach(
              (name, budgetConfig) -> {
                RetryBudget previous = old == null ? null : old.budgets.get(name);
                budgets.put(
                    name,
                    previous != null && previous.config().equals(budgetConfig)
                        ? previous
                        : RetryBudget.of(name, budgetConfig, scheduler));
              });
      Map<String, Pipeline> pipelines = new HashMap<>();
      config
          .pipelines()
          .forEach(
              (name, spec) -> {
                Pipeline previous = old == null ? null : old.pipelines.get(name);
                boolean keep =
                    old != null
                        && previous != null
                        && spec.equals(old.config.pipelines().get(name))
                        && sameBudget(old, budgets, spec.retryBudget())
                        && sameBudget(old, budgets, spec.hedgeBudget());
                pipelines.put(
                    name,
                    keep
                        ? previous
                        : PipelineFactory.build(
                            name,
                            spec,
                            n -> Objects.requireNonNull(budgets.get(n), n),
                            scheduler,
                            List.copyOf(listeners)));
              });
      return new Snapshot(config, budgets, pipelines);
    }

    private static boolean sameBudget(
        Snapshot old, Map<String, RetryBudget> budgets, @Nullable String name) {
      return name == null || old.budgets.get(name) == budgets.get(name);
    }

    void require(String name) {
      if (!pipelines.containsKey(name)) {
        throw new IllegalArgumentException(
            "no pipeline \"" + name + "\", known: " + new TreeSet<>(pipelines.keySet()));
      }
    }
  }
}
