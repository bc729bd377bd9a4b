package io.bulwark.runtime.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/** The {@link InstanceContext} of an instance inside a process-mode child JVM. */
final class ChildContext implements InstanceContext {
  private final Properties p;
  private final Map<String, String> settings;
  private final ServiceDiscovery discovery;
  private final Scheduler scheduler;
  private final BulwarkTelemetry telemetry;
  private final ResilienceListener resilienceListener;
  private final BulwarkServer.Builder server;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  ChildContext(
      Properties p,
      Map<String, String> settings,
      ServiceDiscovery discovery,
      Scheduler scheduler,
      BulwarkTelemetry telemetry,
      ResilienceListener resilienceListener,
      BulwarkServer.Builder server) {
    this.resilienceListener = resilienceListener;
    this.p = p;
    this.settings = Map.copyOf(settings);
    this.discovery = discovery;
    this.scheduler = scheduler;
    this.telemetry = telemetry;
    this.server = server;
  }

  @Override
  public io.bulwark.http.client.ClientConfig withIdentity(
      String target, io.bulwark.http.client.ClientConfig config) {
    return ChildIdentity.withIdentity(p, target, config);
  }

  @Override
  public String service() {
    return ChildMain.get(p, "service");
  }

  @Override
  public String instanceId() {
    return ChildMain.get(p, "instanceId");
  }

  @Override
  public int index() {
    return Integer.parseInt(ChildMain.get(p, "index"));
  }

  @Override
  public String version() {
    return ChildMain.get(p, "version");
  }

  @Override
  public Path storage() {
    return Path.of(ChildMain.get(p, "storage"));
  }

  @Override
  public Path serviceStorage() {
    return Path.of(ChildMain.get(p, "serviceStorage"));
  }

  @Override
  public Map<String, String> settings() {
    return settings;
  }

  @Override
  public ServiceDiscovery discovery() {
    return discovery;
  }

  @Override
  public Clock clock() {
    return scheduler.clock();
  }

  @Override
  public Scheduler scheduler() {
    return scheduler;
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
    Thread t = Thread.ofVirtual().name(instanceId() + "-" + name).start(loop);
    threads.add(t);
    return t;
  }

  @Override
  public boolean stopping() {
    return stopping;
  }

  @Override
  public long seed() {
    return Long.parseLong(ChildMain.get(p, "seed"));
  }

  void endBackground(Duration budget) throws InterruptedException {
    stopping = true;
    for (Thread t : threads) {
      if (!t.join(budget)) {
        t.interrupt();
      }
    }
  }
}
