package io.bulwark.runtime.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The context of one start of one instance: what its factory sees, and the background threads it
 * asked for. A restart or deploy gets a new one. Thread-safe.
 */
final class RunContext implements InstanceContext {
  private static final Logger LOG = LoggerFactory.getLogger(RunContext.class);
  private final Instance instance;
  private final String version;
  private final SystemParts parts;
  private final BulwarkTelemetry telemetry;
  private final ResilienceListener resilienceListener;
  private final BulwarkServer.Builder server;
  private final ServiceDiscovery discovery;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;
  private final @org.jspecify.annotations.Nullable Identities identities;
  private final Identities.@org.jspecify.annotations.Nullable Issued own;

  @Override
  public io.bulwark.http.client.ClientConfig withIdentity(
      String target, io.bulwark.http.client.ClientConfig config) {
    Identities ids = identities;
    Identities.Issued mine = own;
    return ids == null || mine == null ? config : ids.withIdentity(config, target, mine);
  }

  RunContext(
      Instance instance,
      String version,
      SystemParts parts,
      BulwarkTelemetry telemetry,
      ResilienceListener resilienceListener,
      ServerConfig config,
      @org.jspecify.annotations.Nullable Identities identities,
      Identities.@org.jspecify.annotations.Nullable Issued own) {
    this.identities = identities;
    this.own = own;
    this.instance = instance;
    this.version = version;
    this.parts = parts;
    this.telemetry = telemetry;
    this.resilienceListener = resilienceListener;
    this.discovery =
        new PartitionedDiscovery(
            parts.registry, instance.service(), instance.runtime().partitions());
    this.server =
        BulwarkServer.builder()
            .config(config)
            .vertx(parts.vertx)
            .scheduler(parts.scheduler)
            .telemetry(telemetry)
            .listener(instance.meter());
  }

  @Override
  public String service() {
    return instance.service();
  }

  @Override
  public String instanceId() {
    return instance.id();
  }

  @Override
  public int index() {
    return instance.index();
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public Path storage() {
    return instance.storage();
  }

  @Override
  public Path serviceStorage() {
    return instance.serviceStorage();
  }

  @Override
  public Map<String, String> settings() {
    return instance.spec().settings();
  }

  @Override
  public ServiceDiscovery discovery() {
    return discovery;
  }

  @Override
  public Clock clock() {
    return parts.clock;
  }

  @Override
  public Scheduler scheduler() {
    return parts.scheduler;
  }

  @Override
  public BulwarkTelemetry telemetry() {
    return telemetry;
  }

  @Override
  public ResilienceListener resilienceListener() {
    return resilienceListener;
  }

  @Override
  public BulwarkServer.Builder server() {
    return server;
  }

  @Override
  public Thread background(String name, Runnable loop) {
    if (stopping) {
      throw new IllegalStateException(instanceId() + " is stopping: no new background " + name);
    }
    Thread t =
        Thread.ofVirtual()
            .name(instanceId() + "-" + name)
            .unstarted(
                () -> {
                  try {
                    loop.run();
                  } catch (RuntimeException e) {
                    LOG.warn("background loop {} of {} failed", name, instanceId(), e);
                  }
                });
    threads.add(t);
    t.start();
    return t;
  }

  @Override
  public boolean stopping() {
    return stopping;
  }

  @Override
  public long seed() {
    return instance.seed();
  }

  /**
   * Graceful end of the background loops: {@link #stopping()} turns true and they get {@code
   * budget} to end; those still running are interrupted and get {@code budget} again.
   *
   * @return true when every loop ended
   */
  boolean endBackground(Duration budget) throws InterruptedException {
    stopping = true;
    if (joinAll(budget)) {
      return true;
    }
    threads.forEach(Thread::interrupt);
    return joinAll(budget);
  }

  /** Crash: {@link #stopping()} turns true and every loop is interrupted, not waited for. */
  void interruptBackground() {
    stopping = true;
    threads.forEach(Thread::interrupt);
  }

  /**
   * Waits up to {@code budget} for the loops of a killed run, already interrupted, to end.
   *
   * @return true when every loop ended
   */
  boolean awaitBackground(Duration budget) throws InterruptedException {
    return joinAll(budget);
  }

  private boolean joinAll(Duration budget) throws InterruptedException {
    long deadline = System.nanoTime() + budget.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !t.join(Duration.ofNanos(left))) {
        return threads.stream().noneMatch(Thread::isAlive);
      }
    }
    return true;
  }
}
