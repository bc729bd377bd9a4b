package io.bulwark.runtime.internal;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.InstanceState;
import io.bulwark.runtime.RuntimeEvent;
import io.bulwark.runtime.RuntimeStartException;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One instance of a service in an {@link InProcessRuntime}.
 *
 * <p>Every operation takes this instance's lock, so operations on one instance are serialized; no
 * runtime-wide lock is held while an instance starts, drains or dies. State and port are volatile
 * so that observers read them without the lock.
 */
final class Instance implements InstanceHandle {
  private final InProcessRuntime runtime;
  private final ServiceSpec spec;
  private final int index;
  private final String id;
  private final int fixedPort;
  private final InstanceMeter meter;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile InstanceState state = InstanceState.STOPPED;

  /** The version of the last start that got ready (the spec's before any): what restart uses. */
  private volatile String version;

  private volatile int port = -1;

  /** Counts the starts that got ready: each is a new incarnation. */
  private final java.util.concurrent.atomic.AtomicLong incarnation =
      new java.util.concurrent.atomic.AtomicLong();

  private volatile @Nullable Run run;

  /** Killed runs whose background threads were not yet waited for; guarded by {@link #lock}. */
  private final List<Run> killed = new ArrayList<>();

  Instance(
      InProcessRuntime runtime, ServiceSpec spec, int index, int fixedPort, ServiceMeter meter) {
    this.meter = new InstanceMeter(meter);
    this.runtime = runtime;
    this.spec = spec;
    this.index = index;
    this.id = spec.name() + "-" + index;
    this.fixedPort = fixedPort;
    this.version = spec.version();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public java.util.Optional<BulwarkTelemetry> telemetry() {
    Run r = run;
    return state == InstanceState.READY && r != null && r.child == null
        ? java.util.Optional.of(r.telemetry)
        : java.util.Optional.empty();
  }

  @Override
  public String service() {
    return spec.name();
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public String zone() {
    return spec.zoneOf(index);
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public InstanceState state() {
    return state;
  }

  @Override
  public int port() {
    return state == InstanceState.READY ? port : -1;
  }

  @Override
  public Path storage() {
    return serviceRoot().resolve(id);
  }

  Path serviceStorage() {
    return serviceRoot().resolve("shared");
  }

  private Path serviceRoot() {
    return spec.storage().orElse(runtime.options().storageRoot().resolve(spec.name()));
  }

  ServiceSpec spec() {
    return spec;
  }

  InstanceMeter meter() {
    return meter;
  }

  @Override
  public long answered() {
    return meter.counts().requests();
  }

  InProcessRuntime runtime() {
    return runtime;
  }

  long seed() {
    return runtime.options().seed();
  }

  /** The endpoint while ready, else null. */
  @Nullable Endpoint readyEndpoint() {
    Run r = run;
    return state == InstanceState.READY && r != null ? r.endpoint : null;
  }

  @Override
  public void stop() {
    lock.lock();
    try {
      stopLocked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void kill() {
    lock.lock();
    try {
      Run r = run;
      if (r == null || state != InstanceState.READY) {
        return;
      }
      run = null;
      r.kill();
      killed.add(r);
      state = InstanceState.KILLED;
      port = -1;
      runtime.listeners().fire(l -> l.onKilled(this));
      runtime.event(RuntimeEvent.Kind.KILLED, this, "killed (lease left to expire)");
      runtime.superviseKilled(this);
    } finally {
      lock.unlock();
    }
  }

  /** Graceful stop then start when running; a plain start otherwise. */
  @Override
  public void restart() {
    lock.lock();
    try {
      stopLocked();
      startLocked(version);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void deploy(String newVersion) {
    if (newVersion.isBlank()) {
      throw new IllegalArgumentException(id + ": deploy version must not be blank");
    }
    lock.lock();
    try {
      String from = version;
      stopLocked();
      startLocked(newVersion);
      runtime.listeners().fire(l -> l.onDeployed(this, from, newVersion));
      runtime.event(RuntimeEvent.Kind.DEPLOYED, this, from + " -> " + newVersion);
    } finally {
      lock.unlock();
    }
  }

  /** A new instance of a scale-up runs the service's current version. */
  void adoptVersion(String v) {
    this.version = v;
  }

  /** The supervisor's restart: starts again only when still killed or failed. */
  void restartIfDead() {
    lock.lock();
    try {
      if (state == InstanceState.KILLED || state == InstanceState.FAILED) {
        startLocked(version);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Process mode: scrapes the child's report into the meter and the board; nothing in process. */
  void scrape() {
    Run r = run;
    if (r != null && state == InstanceState.READY) {
      Identities ids = runtime.identitiesOf(spec.name());
      r.scrape(
          ids == null ? runtime.scrapeClient() : ids.jdkClient(),
          ids == null ? "http" : "https",
          host(),
          meter,
          runtime.clock().nanoTime());
    }
  }

  @Override
  public java.util.List<io.bulwark.telemetry.RedSnapshot> redSnapshots(String kind) {
    Run r = run;
    if (r == null || state != InstanceState.READY) {
      return java.util.List.of();
    }
    return r.child != null ? r.red(kind) : r.telemetry.redSnapshots(kind);
  }

  @Override
  public long incarnation() {
    return incarnation.get();
  }

  /** Starts the instance with its current version (the system's start). */
  void start() {
    lock.lock();
    try {
      startLocked(version);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The runtime's stop: a graceful stop when running, then waits for the threads of killed
   * incarnations.
   */
  void shutdown() {
    lock.lock();
    try {
      stopLocked();
      awaitKilled();
    } finally {
      lock.unlock();
    }
  }

  /** Waits (bounded by the drain budget each) for the loops of killed runs to end. */
  private void awaitKilled() {
    for (Run r : killed) {
      r.awaitKilled(runtime.options().drainBudget());
    }
    killed.clear();
  }

  private void stopLocked() {
    Run r = run;
    if (r == null || state != InstanceState.READY) {
      return;
    }
    state = InstanceState.STOPPING;
    run = null;
    r.stop(runtime.options().drainBudget());
    state = InstanceState.STOPPED;
    port = -1;
    runtime.listeners().fire(l -> l.onStopped(this));
    runtime.event(RuntimeEvent.Kind.STOPPED, this, "stopped");
  }

  private void startLocked(String startVersion) {
    SystemParts parts = runtime.parts();
    awaitKilled();
    state = InstanceState.STARTING;
    runtime.listeners().fire(l -> l.onStarting(this));
    runtime.event(RuntimeEvent.Kind.STARTING, this, "starting v" + startVersion);
    long began = parts.clock.nanoTime();
    Run r = null;
    try {
      Storage.prepare(id, serviceStorage(), storage());
      r = open(parts, startVersion);
      int bound;
      if (inChild()) {
        ChildArchives.Use aot = runtime.childAot(spec.name());
        List<String> jvmArgs = new ArrayList<>(runtime.childJvmArgs());
        jvmArgs.addAll(aot.jvmArgs());
        Child child = launch(startVersion, jvmArgs, aot);
        r.child = child;
        bound = child.awaitPort(runtime.options().readinessTimeout());
        r.childPort = bound;
        watch(r, child);
      } else {
        r.service = spec.factory().create(r.context);
        BulwarkServer server = r.context.server().build();
        r.server = server;
        bind(server);
        bound = server.port();
      }
      parts.probe.awaitReady(
          host(), bound, runtime.options().readinessTimeout(), runtime.identitiesOf(spec.name()));
      register(parts, r, bound, startVersion);
      runtime.checkRunning(); // the system's stop began meanwhile: this start must not stay
    } catch (Exception | LinkageError | AssertionError e) {
      // a factory's missing class or failed assertion fails the start like an exception would
      fail(r, e);
      return;
    }
    run = r;
    incarnation.incrementAndGet();
    version = startVersion;
    port = r.server != null ? r.server.port() : r.childPort;
    state = InstanceState.READY;
    Duration took = Duration.ofNanos(parts.clock.nanoTime() - began);
    int p = port;
    runtime.supervisorReady(this);
    runtime.listeners().fire(l -> l.onReady(this, p, took));
    runtime.event(
        RuntimeEvent.Kind.READY,
        this,
        "ready v" + startVersion + " on port " + p + " in " + took.toMillis() + " ms");
  }

  /** Starts the child; when it ends, its AOT recording (if it made one) becomes a cache. */
  @SuppressWarnings("FutureReturnValueIgnored") // the callback reports through the archives' log
  private Child launch(String startVersion, List<String> jvmArgs, ChildArchives.Use aot) {
    Child child;
    try {
      // a recorder writes its AOT configuration as it exits: given the time at the system's stop
      // only, so a deploy or rollback never waits for it (killed, the next child records)
      Supplier<Duration> margin =
          () ->
              aot.records() && runtime.stopRequested()
                  ? ChildArchives.RECORDING_EXIT
                  : Duration.ZERO;
      child = Child.launch(id, storage(), describe(startVersion), jvmArgs, margin);
    } catch (RuntimeException e) {
      aot.exited(); // nothing recorded: the next child of the service records
      throw e;
    }
    child.process.onExit().thenRun(aot::exited);
    return child;
  }

  /** True when this instance runs as a child JVM (process mode, not pinned to the parent). */
  private boolean inChild() {
    return runtime.processMode() && !spec.inParentJvm();
  }

  /** What a process-mode child needs to build this instance. */
  private Properties describe(String startVersion) {
    Properties p = new Properties();
    p.setProperty("service", spec.name());
    p.setProperty("instanceId", id);
    p.setProperty("index", Integer.toString(index));
    p.setProperty("version", startVersion);
    p.setProperty("zone", zone());
    p.setProperty("factory", spec.factoryClass().orElseThrow());
    p.setProperty("storage", storage().toAbsolutePath().toString());
    p.setProperty("serviceStorage", serviceStorage().toAbsolutePath().toString());
    p.setProperty("host", host());
    p.setProperty("port", Integer.toString(fixedPort));
    p.setProperty("drainMillis", Long.toString(runtime.options().drainBudget().toMillis()));
    p.setProperty("seed", Long.toString(seed()));
    p.setProperty("control", "http://" + host() + ":" + runtime.systemPort());
    Identities ids = runtime.identities();
    if (ids != null) {
      ChildIdentity.describe(p, ids, spec, ids.issue(spec.name(), id));
    }
    spec.settings().forEach((k, v) -> p.setProperty("setting." + k, v));
    return p;
  }

  /** Supervision: a child that exits while this incarnation is current and was not asked to. */
  @SuppressWarnings("FutureReturnValueIgnored") // the callback reports through the runtime
  private void watch(Run r, Child child) {
    child
        .process
        .onExit()
        .thenRun(
            () -> {
              if (!child.expectedExit()) {
                Thread.ofVirtual().name(id + "-exit").start(() -> childCrashed(r));
              }
            });
  }

  private void childCrashed(Run r) {
    lock.lock();
    try {
      if (run != r || state != InstanceState.READY) {
        return;
      }
      run = null;
      r.crashed();
      state = InstanceState.KILLED;
      port = -1;
      runtime.listeners().fire(l -> l.onKilled(this));
      runtime.event(
          RuntimeEvent.Kind.KILLED,
          this,
          "child exited on its own (exit " + r.exitCode() + "); lease left to expire");
      runtime.superviseKilled(this);
    } finally {
      lock.unlock();
    }
  }

  private Run open(SystemParts parts, String startVersion) {
    BulwarkTelemetry telemetry =
        BulwarkTelemetry.builder().serviceName(spec.name()).clock(parts.clock).build();
    ServerConfig.Builder server =
        ServerConfig.builder()
            .host(host())
            .port(fixedPort)
            .drainBudget(runtime.options().drainBudget());
    Identities ids = runtime.identities();
    Identities.Issued own = null;
    if (ids != null && !inChild()) { // a child is issued its own in its description
      own = ids.issue(spec.name(), id); // every workload has an identity
      server = ids.secure(server, spec.name(), own);
    }
    ServerConfig config = server.build();
    BreakerBoard.Source breakers = runtime.breakerBoard().listenerFor(id);
    RunContext context =
        new RunContext(this, startVersion, parts, telemetry, breakers, config, ids, own);
    return new Run(id, context, telemetry, breakers);
  }

  private void bind(BulwarkServer server) {
    try {
      server.start();
    } catch (RuntimeException e) {
      if (fixedPort != 0 && Storage.isBindFailure(e)) {
        throw new RuntimeStartException(id + ": port " + fixedPort + " is in use", e);
      }
      throw e;
    }
  }

  private void register(SystemParts parts, Run r, int boundPort, String v) {
    Endpoint endpoint =
        new Endpoint(
            host() + ":" + boundPort,
            host(),
            boundPort,
            zone(),
            Map.of("instance", id, "version", v, "zone", zone()));
    r.endpoint = endpoint;
    Duration ttl = runtime.options().leaseTtl();
    var registration = parts.registry.register(spec.name(), endpoint, ttl);
    r.registration = registration;
    long every = Math.max(1, ttl.toNanos() / 3);
    r.renewal = parts.scheduler.scheduleAtFixedRate(every, every, registration::renew);
  }

  private void fail(@Nullable Run r, Throwable e) {
    if (runtime.stopRequested()) {
      // the interrupt was the system's stop cancelling this start: clean up without it
      Thread.interrupted();
    } else if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (r != null) {
      r.stop(runtime.options().drainBudget());
    }
    state = InstanceState.FAILED;
    port = -1;
    runtime.listeners().fire(l -> l.onFailed(this, e));
    runtime.event(RuntimeEvent.Kind.FAILED, this, "start failed: " + describe(e));
    if (e instanceof RuntimeStartException rse) {
      throw rse;
    }
    throw new RuntimeStartException(id + ": start failed: " + describe(e), e);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + message;
  }

  private String host() {
    return runtime.options().host();
  }

  @Override
  public String toString() {
    return id + " " + state + " v" + version;
  }
}
