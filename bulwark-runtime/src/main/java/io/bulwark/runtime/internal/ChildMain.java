package io.bulwark.runtime.internal;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.http.ChaosRoutes;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerConfig;
import io.bulwark.runtime.ServiceFactory;
import io.bulwark.runtime.ServiceInstance;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point of a process-mode child JVM: one instance of one service. Reads its description
 * ({@code child.properties}, written by the parent), builds the instance with its factory, starts
 * its server and prints {@code BULWARK-CHILD-PORT <port>} on stdout. It never outlives the parent:
 * it exits when its stdin reaches EOF (the parent died: its pipe closed) or when the parent process
 * exits; the line {@code stop} on stdin is a graceful stop (drain, close, exit 0). Its server also
 * answers the parent's scrape at {@link ChildReport#PATH} (answers, latencies, breakers, RED) and
 * the chaos admin routes ({@code /chaos/faults}, loopback callers only) that the parent relays its
 * faults to.
 */
public final class ChildMain {
  static final String PORT_LINE = "BULWARK-CHILD-PORT ";

  private ChildMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: ChildMain <child.properties>");
      System.exit(2);
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      p.load(r);
    }
    CountDownLatch stop = new CountDownLatch(1);
    watchParent(stop);
    String service = get(p, "service");
    ServiceFactory factory = ServiceSpec.builder(service, get(p, "factory")).build().factory();
    SystemScheduler scheduler = SystemScheduler.create();
    BulwarkTelemetry telemetry =
        BulwarkTelemetry.builder().serviceName(service).clock(scheduler.clock()).build();
    RemoteDiscovery discovery = new RemoteDiscovery(get(p, "control"), service);
    Duration drain = Duration.ofMillis(Long.parseLong(get(p, "drainMillis")));
    Map<String, String> settings = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("setting.")) {
        settings.put(k.substring("setting.".length()), p.getProperty(k));
      }
    }
    ChildTelemetry reports = new ChildTelemetry(get(p, "instanceId"), scheduler.clock(), telemetry);
    ChildContext ctx =
        new ChildContext(
            p,
            settings,
            discovery,
            scheduler,
            telemetry,
            reports.resilienceListener(),
            BulwarkServer.builder()
                .config(
                    ChildIdentity.secure(
                            p,
                            ServerConfig.builder()
                                .host(get(p, "host"))
                                .port(Integer.parseInt(get(p, "port")))
                                .drainBudget(drain))
                        .build())
                .scheduler(scheduler)
                .telemetry(telemetry)
                .listener(reports)
                .metrics(ChildReport.PATH, reports::handle));
    // the parent relays its chaos faults here (SystemRuntime.chaosRelay): loopback callers only
    Chaos chaos =
        Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build();
    ChaosRoutes.install(ctx.server(), chaos);
    ServiceInstance instance = factory.create(ctx);
    BulwarkServer server = ctx.server().build();
    server.start();
    System.out.println(PORT_LINE + server.port());
    System.out.flush();
    stop.await();
    server.shutdown();
    ctx.endBackground(drain);
    instance.close();
    chaos.close();
    telemetry.close();
    discovery.close();
    scheduler.close();
    System.out.println("stopped");
    System.out.flush();
    System.exit(0);
  }

  /** stdin "stop": graceful; stdin EOF or the parent's exit: halt at once. */
  @SuppressWarnings("FutureReturnValueIgnored") // halts the JVM; nothing to report
  private static void watchParent(CountDownLatch stop) {
    ProcessHandle.current()
        .parent()
        .ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
    Thread.ofPlatform()
        .daemon()
        .name("parent-watch")
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.strip().equals("stop")) {
                    stop.countDown();
                  }
                }
              } catch (IOException e) {
                // the pipe broke: the parent is gone
              }
              if (stop.getCount() > 0) {
                Runtime.getRuntime().halt(3); // EOF without "stop": the parent died
              }
            });
  }

  static String get(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("child.properties: missing " + key);
    }
    return v;
  }
}
