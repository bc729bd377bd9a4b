package io.bulwark.runtime.internal;

import io.bulwark.chaos.InstanceKiller;
import io.bulwark.chaos.NetworkPartitioner;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.runtime.BreakerView;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.RuntimeStartException;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.ServiceStats;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
  private final List<Instance> instances = new ArrayList<>();
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

  public InProcessRuntime(SystemModel model, RuntimeOptions options) {
    this.model = Objects.requireNonNull(model, "model");
    this.options = Objects.requireNonNull(options, "options");
    Scheduler given = options.scheduler();
    this.clock = given == null ? Clock.system() : given.clock();
    this.partitions =
        new Partitions(
            model.services().stream().map(ServiceSpec::name).collect(Collectors.toSet()));
    int k = 0;
    for (ServiceSpec spec : model.services()) {
      ServiceMeter meter = new ServiceMeter(spec.name(), clock);
      meters.put(spec.name(), meter);
      List<Instance> list = new ArrayList<>();
      for (int i = 1; i <= spec.instances(); i++, k++) {
        Instance instance = new Instance(this, spec, i, portFor(k), meter);
        list.add(instance);
        instances.add(instance);
      }
      byService.put(spec.name(), List.copyOf(list));
    }
  }

  private int portFor(int k) {
    if (options.basePort() == 0) {
      return 0;
    }
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
        phase = Phase.RUNNING;
        for (Instance instance : instances) {
          startOrUnwind(instance);
        }
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

  private void startOrUnwind(Instance instance) {
    try {
      instance.start();
    } catch (RuntimeException e) {
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
    for (int i = instances.size() - 1; i >= 0; i--) {
      Instance instance = instances.get(i);
      try {
        instance.shutdown();
      } catch (RuntimeException e) {
        LOG.warn("{}: stop failed", instance.id(), e);
      }
    }
    subscriptions.forEach(ServiceDiscovery.Subscription::close);
    subscriptions.clear();
    partitions.close();
    SystemParts p = parts;
    if (p != null) {
      p.close();
    }
    phase = Phase.STOPPED;
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
