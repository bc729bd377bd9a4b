package io.bulwark.runtime.internal;

import io.bulwark.chaos.InstanceKiller;
import io.bulwark.chaos.NetworkPartitioner;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.runtime.BreakerView;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RolloutPolicy;
import io.bulwark.runtime.RolloutResult;
import io.bulwark.runtime.RuntimeEvent;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.RuntimeStartException;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.ServiceStats;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SystemRuntime} whose instances are servers in this JVM.
 *
 * <p>Design notes: the instances and their handles exist from construction, so a caller can hold
 * handles and listeners before {@link #start()}; the shared parts (Vert.x, registry, scheduler)
 * exist from {@link #start()} to {@link #stop()}. The lifecycle lock only serializes the system's
 * start and stop with each other; per-instance operations take the instance's own lock, so a kill
 * or deploy of one instance never waits for another instance's drain. A runtime runs once: after a
 * stop (or a failed start) it cannot start again.
 *
 * <p>A stop first raises {@code stopRequested}, before it waits for anything: from then on no
 * instance start can begin or become ready (an instance start checks it under the instance's lock,
 * at its beginning and before it turns READY), and a system start in progress is interrupted, so
 * that a stop (a shutdown hook) does not wait behind the whole startup.
 */
public final class InProcessRuntime implements SystemRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessRuntime.class);

  private enum Phase {
    NEW,
    RUNNING,
    STOPPED
  }

  private final SystemModel model;
  private final RuntimeOptions options;
  private final Clock clock;
  private final Listeners listeners = new Listeners();
  private final BreakerBoard breakers = new BreakerBoard();
  private final Map<String, ServiceMeter> meters = new LinkedHashMap<>();
  private final Map<String, List<Instance>> byService = new LinkedHashMap<>();
  private final List<Instance> instances = new CopyOnWriteArrayList<>();
  private final Map<String, ReentrantLock> serviceLocks = new LinkedHashMap<>();
  private final AtomicInteger portSlots = new AtomicInteger();
  private final boolean processes;
  private final EventLog events;
  private final SystemMetrics metrics;
  private volatile @Nullable SystemServer systemServer;
  private volatile @Nullable ScheduledTask metricsTask;
  private final Supervisor supervisor;
  private final ReentrantLock lifecycle = new ReentrantLock();
  private volatile Phase phase = Phase.NEW;
  private volatile @Nullable SystemParts parts;
  private volatile boolean stopRequested;

  /** Discovery subscriptions feeding the breaker board; guarded by {@link #lifecycle}. */
  private final List<ServiceDiscovery.Subscription> subscriptions = new ArrayList<>();

  /** Guards {@link #starter}: a stop interrupts the start's thread only while it starts. */
  private final ReentrantLock starterLock = new ReentrantLock();

  private @Nullable Thread starter;

  private final Partitions partitions;
  private final SystemAutoscalers autoscalers = new SystemAutoscalers();
  private final io.bulwark.telemetry.slo.@Nullable SloEvaluator slos;
  private final @Nullable ChaosRelay chaosRelay;
  private final @Nullable ChildArchives archives;
  private final @Nullable Identities identities;

  public InProcessRuntime(SystemModel model, RuntimeOptions options) {
    this(model, options, false);
  }

  /**
   * The options with the model's SLOs (a system file's {@code slos:}) before those the options
   * name; one name in both is refused, naming it.
   */
  private static RuntimeOptions withModelSlos(SystemModel model, RuntimeOptions options) {
    if (model.slos().isEmpty()) {
      return options;
    }
    java.util.List<io.bulwark.telemetry.slo.Slo> all = new java.util.ArrayList<>(model.slos());
    for (io.bulwark.telemetry.slo.Slo slo : options.slos()) {
      for (io.bulwark.telemetry.slo.Slo declared : model.slos()) {
        if (declared.name().equals(slo.name())) {
          throw new IllegalArgumentException(
              "SLO \""
                  + slo.name()
                  + "\" is declared by system "
                  + model.name()
                  + " and again in RuntimeOptions.slos");
        }
      }
      all.add(slo);
    }
    return options.toBuilder().slos(all).build();
  }

  public InProcessRuntime(SystemModel model, RuntimeOptions options, boolean processes) {
    this.model = Objects.requireNonNull(model, "model");
    this.processes = processes;
    if (processes) {
      ProcessMode.check(model);
      if (options.restartBackoff() == null) {
        options = options.toBuilder().restartBackoff(Duration.ofMillis(200)).build();
      }
    }
    options = withModelSlos(model, Objects.requireNonNull(options, "options"));
    this.options = options;
    SystemAutoscalers.check(model, options);
    Scheduler given = options.scheduler();
    this.clock = given == null ? Clock.system() : given.clock();
    this.events = new EventLog(clock, listeners);
    this.metrics = new SystemMetrics(clock, options.metricsStep(), options.slos());
    this.slos =
        options.slos().isEmpty()
            ? null
            : new io.bulwark.telemetry.slo.SloEvaluator(
                metrics.store(), options.slos(), clock, alert -> {});
    this.identities = Identities.of(model, options.storageRoot(), options.host());
    this.supervisor = new Supervisor(this);
    this.partitions =
        new Partitions(
            model.services().stream().map(ServiceSpec::name).collect(Collectors.toSet()),
            (kind, service, detail) -> event(kind, service, null, detail));
    java.nio.file.Path aot = options.childAotCache();
    this.archives =
        processes && aot != null
            ? ChildArchives.of(aot, Child.java(), childJvmArgs(), Child.classPath())
            : null;
    this.chaosRelay =
        processes
            ? new ChaosRelay(
                this::readyChildren, this::scrapeClient, this::identitiesOf, clock, options.host())
            : null;
    for (ServiceSpec spec : model.services()) {
      ServiceMeter meter = new ServiceMeter(spec.name(), clock);
      meters.put(spec.name(), meter);
      serviceLocks.put(spec.name(), new ReentrantLock());
      List<Instance> list = new CopyOnWriteArrayList<>();
      for (int i = 1; i <= spec.instances(); i++) {
        Instance instance = new Instance(this, spec, i, portFor(spec, i), meter);
        list.add(instance);
        instances.add(instance);
      }
      byService.put(spec.name(), list);
    }
  }

  /** The fixed port of instance {@code index} of {@code spec}, or 0 for an ephemeral one. */
  private int portFor(ServiceSpec spec, int index) {
    if (spec.port() != 0) {
      int port = spec.port() + index - 1;
      if (port > 65535) {
        throw new IllegalArgumentException(
            "service "
                + spec.name()
                + ": port "
                + spec.port()
                + " leaves no port for instance "
                + index);
      }
      return port;
    }
    if (options.basePort() == 0) {
      return 0;
    }
    int k = portSlots.getAndIncrement();
    int port = options.basePort() + k;
    if (port > 65535) {
      throw new IllegalArgumentException(
          "system "
              + model.name()
              + ": basePort "
              + options.basePort()
              + " leaves no port for "
              + "instance number "
              + (k + 1)
              + " (would be "
              + port
              + ")");
    }
    return port;
  }

  @Override
  public SystemModel model() {
    return model;
  }

  @Override
  public void addListener(RuntimeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void start() {
    lifecycle.lock();
    try {
      if (phase == Phase.RUNNING) {
        return;
      }
      if (phase == Phase.STOPPED || !claimStart()) {
        phase = Phase.STOPPED;
        throw new IllegalStateException(
            "system " + model.name() + " was stopped; build a new runtime");
      }
      try {
        SystemParts opened = SystemParts.open(options);
        parts = opened;
        followEndpoints(opened);
        openSystemParts(opened);
        phase = Phase.RUNNING;
        startInstances();
        autoscalers.start(this, model, options, opened.scheduler, listeners);
      } finally {
        releaseStart();
      }
    } finally {
      lifecycle.unlock();
    }
  }

  /** Endpoints that leave discovery take their endpoint breakers off the board. */
  private void followEndpoints(SystemParts opened) {
    for (ServiceSpec spec : model.services()) {
      String service = spec.name();
      subscriptions.add(
          opened.registry.subscribe(service, list -> breakers.discovered(service, list)));
    }
  }

  /** Records this thread as the starter unless a stop came first. */
  private boolean claimStart() {
    starterLock.lock();
    try {
      if (stopRequested) {
        return false;
      }
      starter = Thread.currentThread();
      return true;
    } finally {
      starterLock.unlock();
    }
  }

  /**
   * The start is over: a stop no longer interrupts this thread; its cancelling interrupt is spent.
   */
  private void releaseStart() {
    starterLock.lock();
    try {
      starter = null;
      if (stopRequested) {
        Thread.interrupted();
      }
    } finally {
      starterLock.unlock();
    }
  }

  /**
   * Starts every instance in dependency order. In process mode the child JVMs of one dependency
   * level (services whose dependencies all belong to earlier levels) launch together, after that
   * level's instances pinned to the parent JVM: a child's start is mostly its JVM booting, so the
   * system's start takes about its levels' longest starts, not the sum of all. In-process instances
   * start one after another.
   */
  private void startInstances() {
    if (!processMode()) {
      for (Instance instance : instances) {
        startOrUnwind(instance);
      }
      return;
    }
    for (List<Instance> level : dependencyLevels()) {
      List<Instance> children = new ArrayList<>();
      for (Instance instance : level) {
        if (instance.spec().inParentJvm()) {
          startOrUnwind(instance);
        } else {
          children.add(instance);
        }
      }
      startTogether(children);
    }
  }

  /** The instances grouped by the length of their service's longest dependency chain. */
  private List<List<Instance>> dependencyLevels() {
    Map<String, Integer> depth = new LinkedHashMap<>();
    for (ServiceSpec spec : model.services()) { // in start order: dependencies come first
      int d = 0;
      for (String dependency : spec.dependsOn()) {
        d = Math.max(d, depth.getOrDefault(dependency, -1) + 1);
      }
      depth.put(spec.name(), d);
    }
    List<List<Instance>> levels = new ArrayList<>();
    for (Instance instance : instances) {
      int d = depth.getOrDefault(instance.service(), 0);
      while (levels.size() <= d) {
        levels.add(new ArrayList<>());
      }
      levels.get(d).add(instance);
    }
    return levels;
  }

  /**
   * Starts {@code together} on one virtual thread each and waits for all of them. A stop interrupts
   * the waiting starter, and closing the executor then interrupts every start in flight. The first
   * failure in start order unwinds the system as a sequential start would.
   */
  private void startTogether(List<Instance> together) {
    if (together.size() <= 1) {
      together.forEach(this::startOrUnwind);
      return;
    }
    List<Future<@Nullable RuntimeException>> starts = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Instance instance : together) {
        starts.add(
            pool.submit(
                () -> {
                  try {
                    instance.start();
                    return null;
                  } catch (RuntimeException e) {
                    return e;
                  }
                }));
      }
    } // waits for every start; an interrupt (a stop) cancels the starts still running
    if (stopRequested) {
      Thread.interrupted(); // the stop's interrupt is spent: the unwinding below does I/O
    }
    for (int i = 0; i < together.size(); i++) {
      RuntimeException failure = outcome(starts.get(i));
      if (failure != null) {
        unwind(together.get(i), failure);
      }
    }
  }

  private static @Nullable RuntimeException outcome(Future<@Nullable RuntimeException> start) {
    return switch (start.state()) {
      case SUCCESS -> start.resultNow();
      case FAILED -> new IllegalStateException(start.exceptionNow());
      default -> new IllegalStateException("start cancelled");
    };
  }

  private void startOrUnwind(Instance instance) {
    try {
      instance.start();
    } catch (RuntimeException e) {
      unwind(instance, e);
    }
  }

  /** A failed (or cancelled) instance start stops the system and is thrown as the start's cause. */
  private void unwind(Instance instance, RuntimeException e) {
    boolean cancelled = stopRequested;
    stopLocked();
    if (cancelled) {
      throw new RuntimeStartException(
          instance.id() + ": start cancelled: system " + model.name() + " is stopping", e);
    }
    if (e instanceof RuntimeStartException rse) {
      throw rse;
    }
    throw new RuntimeStartException(instance.id() + ": start failed: " + e, e);
  }

  /**
   * Stops the system. Raises the stop before taking the lifecycle lock and interrupts a start in
   * progress (on another thread), so it never waits behind a whole startup.
   */
  @Override
  public void stop() {
    requestStop();
    lifecycle.lock();
    try {
      stopLocked();
    } finally {
      lifecycle.unlock();
    }
  }

  private void requestStop() {
    starterLock.lock();
    try {
      stopRequested = true;
      Thread s = starter;
      if (s != null && s != Thread.currentThread()) {
        s.interrupt();
      }
    } finally {
      starterLock.unlock();
    }
  }

  private void stopLocked() {
    stopRequested = true;
    if (phase != Phase.RUNNING) {
      phase = Phase.STOPPED;
      return;
    }
    autoscalers.close();
    for (int i = instances.size() - 1; i >= 0; i--) {
      Instance instance = instances.get(i);
      try {
        instance.shutdown();
      } catch (RuntimeException e) {
        LOG.warn("{}: stop failed", instance.id(), e);
      }
    }
    supervisor.close();
    if (archives != null) {
      archives.close(AOT_CREATE_BUDGET);
    }
    if (chaosRelay != null) {
      chaosRelay.close();
    }
    subscriptions.forEach(ServiceDiscovery.Subscription::close);
    subscriptions.clear();
    closeSystemParts();
    partitions.close();
    SystemParts p = parts;
    if (p != null) {
      p.close();
    }
    phase = Phase.STOPPED;
  }

  private void openSystemParts(SystemParts opened) {
    long step = options.metricsStep().toNanos();
    metricsTask = opened.scheduler.scheduleAtFixedRate(step, step, this::collectMetrics);
    if (processes && options.systemPort() < 0) {
      throw new IllegalStateException(
          "system " + model.name() + ": process mode needs the system port (systemPort >= 0)");
    }
    if (options.systemPort() >= 0) {
      systemServer =
          SystemServer.start(
              opened, options.host(), options.systemPort(), this::prometheus, partitions);
    }
  }

  private void closeSystemParts() {
    ScheduledTask t = metricsTask;
    if (t != null) {
      t.cancel();
    }
    metricsCollector.close();
    java.net.http.HttpClient http = scrapeClient.getAndSet(null);
    if (http != null) {
      http.close();
    }
    Identities ids = identities;
    if (ids != null) {
      ids.close();
    }
    SystemServer s = systemServer;
    systemServer = null;
    if (s != null) {
      s.close();
    }
  }

  private final MetricsCollector metricsCollector = new MetricsCollector();

  /**
   * One metrics step: process mode first scrapes every child (off the scheduler's thread, one
   * collection at a time), then every instance's counters go into the store.
   */
  private void collectMetrics() {
    if (!processes) {
      metrics.record(instances);
      recordScalingAndSlos();
      return;
    }
    metricsCollector.collect(
        () -> {
          for (Instance i : instances) {
            i.scrape();
          }
          metrics.record(instances);
          recordScalingAndSlos();
        });
  }

  /**
   * The autoscalers' desired and actual instance counts, and the SLOs judged on the counters just
   * written (their alerts evaluated, their budget and burn rates written to the store).
   */
  private void recordScalingAndSlos() {
    for (io.bulwark.runtime.autoscale.Autoscaler a : autoscalers.running()) {
      int actual = 0;
      for (Instance i : byService.getOrDefault(a.service(), List.of())) {
        if (i.state() == io.bulwark.runtime.InstanceState.READY
            || i.state() == io.bulwark.runtime.InstanceState.STARTING) {
          actual++;
        }
      }
      List<io.bulwark.runtime.autoscale.ScalingDecision> d = a.decisions();
      int desired = d.isEmpty() ? actual : d.get(d.size() - 1).to();
      metrics.recordScaling(a.service(), a.policy(), desired, actual);
    }
    io.bulwark.telemetry.slo.SloEvaluator e = slos;
    if (e != null) {
      e.evaluate();
      metrics.recordSlos(options.slos());
    }
  }

  @Override
  public String scheme(String service) {
    Identities ids = identities;
    return ids == null ? "http" : ids.scheme(service);
  }

  @Override
  public java.util.Optional<javax.net.ssl.SSLContext> operatorTls() {
    Identities ids = identities;
    return ids == null ? java.util.Optional.empty() : java.util.Optional.of(ids.sslContext());
  }

  /** The workload identities, or null when no service is under mutual TLS. */
  public @Nullable Identities identities() {
    return identities;
  }

  /** The identities if {@code service} is under mutual TLS, else null. */
  @Nullable Identities identitiesOf(String service) {
    Identities ids = identities;
    return ids != null && ids.protects(service) ? ids : null;
  }

  boolean processMode() {
    return processes;
  }

  private final java.util.concurrent.atomic.AtomicReference<java.net.http.@Nullable HttpClient>
      scrapeClient = new java.util.concurrent.atomic.AtomicReference<>();

  /** The HTTP client that scrapes the children (process mode), closed at stop. */
  java.net.http.HttpClient scrapeClient() {
    java.net.http.HttpClient c = scrapeClient.get();
    if (c == null) {
      java.net.http.HttpClient fresh =
          java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      if (scrapeClient.compareAndSet(null, fresh)) {
        return fresh;
      }
      fresh.close();
      c = Objects.requireNonNull(scrapeClient.get());
    }
    return c;
  }

  /**
   * JVM options of the children: small heaps, quick start, and the launcher's access options
   * (SQLite's native driver and the event log's fallocate; Netty's Unsafe buffers).
   */
  List<String> childJvmArgs() {
    return List.of(
        "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        "-Xmx96m",
        "-Xss512k",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
  }

  /**
   * How long a stop waits for the children's AOT caches still being created (the first process-mode
   * run of a build: one per service, a few CPU seconds each).
   */
  private static final Duration AOT_CREATE_BUDGET = Duration.ofSeconds(90);

  /** The AOT cache options of the next child of {@code service} (none without caches). */
  ChildArchives.Use childAot(String service) {
    ChildArchives a = archives;
    return a == null ? ChildArchives.Use.NONE : a.use(service);
  }

  /** The children's AOT caches: null when none are made (in process, or a class path of dirs). */
  @Nullable ChildArchives archives() {
    return archives;
  }

  @Override
  public java.util.Optional<io.bulwark.telemetry.slo.SloEvaluator> slos() {
    return java.util.Optional.ofNullable(slos);
  }

  @Override
  public List<io.bulwark.runtime.autoscale.Autoscaler> autoscalers() {
    return autoscalers.running();
  }

  /** Records an event of one instance and feeds it to the listeners. */
  void event(RuntimeEvent.Kind kind, Instance instance, String detail) {
    events.add(kind, instance.service(), instance.id(), detail);
  }

  void event(RuntimeEvent.Kind kind, String service, @Nullable String instance, String detail) {
    events.add(kind, service, instance, detail);
  }

  void supervisorReady(Instance instance) {
    supervisor.ready(instance);
    ChaosRelay relay = chaosRelay;
    if (relay != null && !instance.spec().inParentJvm()) {
      relay.childReady(instance);
    }
  }

  /** The instances running as child JVMs that are ready now. */
  private List<Instance> readyChildren() {
    List<Instance> out = new ArrayList<>();
    for (Instance i : instances) {
      if (!i.spec().inParentJvm() && i.readyEndpoint() != null) {
        out.add(i);
      }
    }
    return out;
  }

  @Override
  public io.bulwark.chaos.Chaos.Listener chaosRelay() {
    ChaosRelay relay = chaosRelay;
    return relay != null ? relay : SystemRuntime.super.chaosRelay();
  }

  /** The relay to the children (process mode), for tests: null in process. */
  @Nullable ChaosRelay relay() {
    return chaosRelay;
  }

  /** A killed (or crashed) instance: the supervisor restarts it when restarts are configured. */
  void superviseKilled(Instance instance) {
    supervisor.died(instance);
  }

  /** The current instances of {@code service}, by index. */
  List<Instance> serviceInstances(String service) {
    List<Instance> list = byService.get(service);
    if (list == null) {
      throw new IllegalArgumentException("system " + model.name() + " has no service " + service);
    }
    return List.copyOf(list);
  }

  @Override
  public void scale(String service, int count) {
    List<Instance> list = byService.get(service);
    ReentrantLock lock = serviceLocks.get(service);
    if (list == null || lock == null) {
      throw new IllegalArgumentException("system " + model.name() + " has no service " + service);
    }
    if (count < 1) {
      throw new IllegalArgumentException(
          "service " + service + ": cannot scale to " + count + " instances (at least 1)");
    }
    lock.lock();
    try {
      parts();
      int from = list.size();
      ServiceSpec spec = model.service(service);
      ServiceMeter meter = Objects.requireNonNull(meters.get(service), service);
      while (list.size() < count) {
        int index = list.size() + 1;
        Instance instance = new Instance(this, spec, index, portFor(spec, index), meter);
        instance.adoptVersion(list.getFirst().version());
        try {
          instance.start();
        } catch (RuntimeException e) {
          event(
              RuntimeEvent.Kind.SCALED,
              service,
              null,
              "scale " + from + " -> " + count + " stopped at " + list.size() + ": " + e);
          throw e;
        }
        list.add(instance);
        instances.add(instance);
      }
      while (list.size() > count) {
        Instance last = list.getLast();
        last.shutdown();
        list.remove(last);
        instances.remove(last);
      }
      if (from != count) {
        event(RuntimeEvent.Kind.SCALED, service, null, "scaled " + from + " -> " + count);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public RolloutResult rollingDeploy(String service, String version, RolloutPolicy policy) {
    ReentrantLock lock = serviceLocks.get(service);
    if (lock == null) {
      throw new IllegalArgumentException("system " + model.name() + " has no service " + service);
    }
    if (version.isBlank()) {
      throw new IllegalArgumentException(service + ": rollout version must not be blank");
    }
    Objects.requireNonNull(policy, "policy");
    lock.lock();
    try {
      parts();
      return new Rollout(this, service, version, policy).run();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<RuntimeEvent> events() {
    return events.snapshot();
  }

  @Override
  public TimeSeriesStore metrics() {
    return metrics.store();
  }

  @Override
  public String prometheus() {
    return metrics.prometheus();
  }

  @Override
  public int systemPort() {
    SystemServer s = systemServer;
    return s == null ? -1 : s.port();
  }

  /** The partitions every instance's discovery view goes through. */
  Partitions partitions() {
    return partitions;
  }

  @Override
  public NetworkPartitioner partitioner() {
    return partitions;
  }

  @Override
  public InstanceKiller instanceKiller() {
    return (service, instanceId) -> {
      InstanceHandle h = instance(instanceId);
      if (!h.service().equals(service)) {
        throw new IllegalArgumentException(
            "instance " + instanceId + " is of service " + h.service() + ", not " + service);
      }
      h.kill();
    };
  }

  @Override
  public List<InstanceHandle> instances() {
    return List.copyOf(instances);
  }

  @Override
  public List<InstanceHandle> instances(String service) {
    List<Instance> list = byService.get(service);
    if (list == null) {
      throw new IllegalArgumentException("system " + model.name() + " has no service " + service);
    }
    return List.copyOf(list);
  }

  @Override
  public InstanceHandle instance(String id) {
    for (Instance instance : instances) {
      if (instance.id().equals(id)) {
        return instance;
      }
    }
    throw new IllegalArgumentException("system " + model.name() + " has no instance " + id);
  }

  @Override
  public ServiceDiscovery discovery() {
    SystemParts p = parts;
    if (p == null) {
      throw new IllegalStateException("system " + model.name() + " has not started");
    }
    return p.registry;
  }

  @Override
  public List<Endpoint> readyEndpoints(String service) {
    List<Endpoint> ready = new ArrayList<>();
    for (InstanceHandle handle : instances(service)) {
      Endpoint e = ((Instance) handle).readyEndpoint();
      if (e != null) {
        ready.add(e);
      }
    }
    return List.copyOf(ready);
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public List<ServiceStats> takeStats() {
    List<ServiceStats> stats = new ArrayList<>();
    for (ServiceMeter meter : meters.values()) {
      stats.add(meter.take());
    }
    return List.copyOf(stats);
  }

  @Override
  public List<BreakerView> breakers() {
    return breakers.snapshot();
  }

  RuntimeOptions options() {
    return options;
  }

  Listeners listeners() {
    return listeners;
  }

  BreakerBoard breakerBoard() {
    return breakers;
  }

  /** True from the moment a stop began (also an unwinding failed start). */
  boolean stopRequested() {
    return stopRequested;
  }

  /** Throws {@link IllegalStateException} unless the system runs and no stop began. */
  void checkRunning() {
    parts();
  }

  /**
   * The shared parts while the system runs and no stop began; an instance operation outside that
   * fails here.
   */
  SystemParts parts() {
    SystemParts p = parts;
    if (phase != Phase.RUNNING || stopRequested || p == null) {
      throw new IllegalStateException("system " + model.name() + " is not running");
    }
    return p;
  }
}
