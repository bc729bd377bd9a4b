package io.bulwark.runtime;

import io.bulwark.core.config.Checks;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link SystemRuntime} runs its system.
 *
 * <p>Storage layout under {@link #storageRoot()}: {@code <service>/shared} for {@link
 * InstanceContext#serviceStorage()} and {@code <service>/<instanceId>} for {@link
 * InstanceContext#storage()}.
 */
public final class RuntimeOptions {
  private final Path storageRoot;
  private final String host;
  private final int basePort;
  private final Duration leaseTtl;
  private final Duration readinessTimeout;
  private final Duration drainBudget;
  private final long seed;
  private final @Nullable Clock clock;
  private final @Nullable Scheduler scheduler;
  private final int systemPort;
  private final Duration metricsStep;
  private final @Nullable Duration restartBackoff;
  private final Duration maxRestartBackoff;
  private final io.bulwark.events.@Nullable EventLog eventLog;
  private final @Nullable Path childAotCache;
  private final java.util.List<io.bulwark.telemetry.slo.Slo> slos;

  private RuntimeOptions(Builder b) {
    this.slos = java.util.List.copyOf(b.slos);
    this.childAotCache = b.childAotCache;
    this.eventLog = b.eventLog;
    this.systemPort = b.systemPort;
    this.metricsStep = b.metricsStep;
    this.restartBackoff = b.restartBackoff;
    this.maxRestartBackoff = b.maxRestartBackoff;
    this.storageRoot = b.storageRoot;
    this.host = b.host;
    this.basePort = b.basePort;
    this.leaseTtl = b.leaseTtl;
    this.readinessTimeout = b.readinessTimeout;
    this.drainBudget = b.drainBudget;
    this.seed = b.seed;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
  }

  public static Builder builder(Path storageRoot) {
    return new Builder(storageRoot);
  }

  public Path storageRoot() {
    return storageRoot;
  }

  public String host() {
    return host;
  }

  /**
   * 0: every instance binds an ephemeral port. Otherwise instance k (counting from 0 in start
   * order) binds {@code basePort + k}, and a port in use fails the start with a message naming it.
   */
  public int basePort() {
    return basePort;
  }

  /** Discovery lease of each instance, renewed every third of it while the instance runs. */
  public Duration leaseTtl() {
    return leaseTtl;
  }

  public Duration readinessTimeout() {
    return readinessTimeout;
  }

  public Duration drainBudget() {
    return drainBudget;
  }

  public long seed() {
    return seed;
  }

  public @Nullable Clock clock() {
    return clock;
  }

  public @Nullable Scheduler scheduler() {
    return scheduler;
  }

  /** The runtime's own HTTP port ({@code /metrics}, control): 0 ephemeral (default), -1 none. */
  public int systemPort() {
    return systemPort;
  }

  /** How often every instance's counters are written to the system's time-series store. */
  public Duration metricsStep() {
    return metricsStep;
  }

  /**
   * Supervision: the first delay before an instance that died unexpectedly (killed, or a child
   * process that exited on its own) is started again, doubling up to {@link #maxRestartBackoff()}.
   * Null: not restarted (default in process; process mode defaults to 200 ms).
   */
  public @Nullable Duration restartBackoff() {
    return restartBackoff;
  }

  public Duration maxRestartBackoff() {
    return maxRestartBackoff;
  }

  /**
   * The system's event log, whose consumer lag the {@code event-lag} autoscaling policy reads
   * ({@link io.bulwark.runtime.autoscale.AutoscaleSpec}); null when no service autoscales on lag.
   */
  public io.bulwark.events.@Nullable EventLog eventLog() {
    return eventLog;
  }

  /**
   * Process mode: the directory of the AOT caches the runtime makes for its child JVMs (one per
   * service, made from a child's graceful exit and used by the children that start later; see
   * docs/runtime.md), or null for none. Default: {@code bulwark-aot-<user>} under {@code
   * java.io.tmpdir}. Children on a class path with directories (a build's {@code target/classes})
   * never use one.
   */
  public @Nullable Path childAotCache() {
    return childAotCache;
  }

  /**
   * The SLOs the runtime judges on its time-series store every metrics step: each one's error
   * budget remaining and burn rate per alert window are written to the store ({@code
   * bulwark_slo_error_budget_remaining}, {@code bulwark_slo_burn_rate}) and served by the system
   * {@code /metrics}; see {@link SystemRuntime#slos()}. Empty by default.
   */
  public java.util.List<io.bulwark.telemetry.slo.Slo> slos() {
    return slos;
  }

  public Builder toBuilder() {
    Builder b = new Builder(storageRoot);
    b.slos = slos;
    b.childAotCache = childAotCache;
    b.eventLog = eventLog;
    b.systemPort = systemPort;
    b.metricsStep = metricsStep;
    b.restartBackoff = restartBackoff;
    b.maxRestartBackoff = maxRestartBackoff;
    b.host = host;
    b.basePort = basePort;
    b.leaseTtl = leaseTtl;
    b.readinessTimeout = readinessTimeout;
    b.drainBudget = drainBudget;
    b.seed = seed;
    b.clock = clock;
    b.scheduler = scheduler;
    return b;
  }

  /** Builds {@link RuntimeOptions}; each setter validates its value and names it when bad. */
  public static final class Builder {
    private final Path storageRoot;
    private String host = "127.0.0.1";
    private int basePort;
    private Duration leaseTtl = Duration.ofSeconds(3);
    private Duration readinessTimeout = Duration.ofSeconds(30);
    private Duration drainBudget = Duration.ofSeconds(5);
    private long seed = 1;
    private @Nullable Clock clock;
    private @Nullable Scheduler scheduler;
    private int systemPort;
    private Duration metricsStep = Duration.ofSeconds(1);
    private @Nullable Duration restartBackoff;
    private Duration maxRestartBackoff = Duration.ofSeconds(10);
    private io.bulwark.events.@Nullable EventLog eventLog;
    private java.util.List<io.bulwark.telemetry.slo.Slo> slos = java.util.List.of();
    private @Nullable Path childAotCache =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "bulwark-aot-" + System.getProperty("user.name", "user"));

    /**
     * The event log whose consumer lag services autoscaled by the {@code event-lag} policy follow
     * (the runtime reads it, never closes it).
     */
    public Builder eventLog(io.bulwark.events.EventLog eventLog) {
      this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
      return this;
    }

    /**
     * The SLOs to judge on the system's store (see {@link RuntimeOptions#slos()}); their names must
     * be unique and their windows within the store's retention (600 metrics steps), checked when
     * the runtime is made.
     */
    public Builder slos(java.util.List<io.bulwark.telemetry.slo.Slo> slos) {
      for (int i = 0; i < slos.size(); i++) {
        Objects.requireNonNull(slos.get(i), "slos[" + i + "]");
      }
      this.slos = java.util.List.copyOf(slos);
      return this;
    }

    private Builder(Path storageRoot) {
      this.storageRoot = Objects.requireNonNull(storageRoot, "storageRoot");
    }

    public Builder host(String host) {
      this.host = Checks.notBlank("host", host);
      return this;
    }

    public Builder basePort(int basePort) {
      this.basePort = Checks.inRange("basePort", basePort, 0, 65535);
      return this;
    }

    public Builder leaseTtl(Duration leaseTtl) {
      this.leaseTtl = Checks.positive("leaseTtl", leaseTtl);
      return this;
    }

    public Builder readinessTimeout(Duration readinessTimeout) {
      this.readinessTimeout = Checks.positive("readinessTimeout", readinessTimeout);
      return this;
    }

    public Builder drainBudget(Duration drainBudget) {
      this.drainBudget = Checks.positive("drainBudget", drainBudget);
      return this;
    }

    /** The runtime's own HTTP port: 0 ephemeral, -1 none, else 1..65535. */
    public Builder systemPort(int systemPort) {
      this.systemPort = Checks.inRange("systemPort", systemPort, -1, 65535);
      return this;
    }

    public Builder metricsStep(Duration metricsStep) {
      this.metricsStep = Checks.positive("metricsStep", metricsStep);
      return this;
    }

    /** Restart instances that die unexpectedly, first after {@code initial}, then doubling. */
    public Builder restartBackoff(Duration initial) {
      this.restartBackoff = Checks.positive("restartBackoff", initial);
      return this;
    }

    public Builder maxRestartBackoff(Duration max) {
      this.maxRestartBackoff = Checks.positive("maxRestartBackoff", max);
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The clock (default: the scheduler's); it must be the scheduler's clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The scheduler: leases, renewals and the servers' timers run on it, on its clock (default: a
     * system scheduler the runtime owns and closes).
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** See {@link RuntimeOptions#childAotCache()}; null: children start without an AOT cache. */
    public Builder childAotCache(@Nullable Path dir) {
      this.childAotCache = dir;
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException when a clock is given without a scheduler on that clock
     */
    public RuntimeOptions build() {
      Clock c = clock;
      Scheduler s = scheduler;
      if (c != null && (s == null || s.clock() != c)) {
        throw new IllegalArgumentException(
            "clock " + c + " needs a scheduler on the same clock: set scheduler(...) instead");
      }
      return new RuntimeOptions(this);
    }
  }
}
