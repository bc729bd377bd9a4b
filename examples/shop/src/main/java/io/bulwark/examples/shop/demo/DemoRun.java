package io.bulwark.examples.shop.demo;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.examples.shop.InvariantReport;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.ShopBackends;
import io.bulwark.examples.shop.ShopOptions;
import io.bulwark.examples.shop.gameday.GameDay;
import io.bulwark.examples.shop.gameday.GameDayChaos;
import io.bulwark.examples.shop.gameday.Scenario;
import io.bulwark.examples.shop.gameday.Scenarios;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.examples.shop.load.Assortment;
import io.bulwark.examples.shop.load.AssortmentReader;
import io.bulwark.examples.shop.load.LoadGenerator;
import io.bulwark.examples.shop.load.LoadOptions;
import io.bulwark.examples.shop.load.LoadPlan;
import io.bulwark.examples.shop.load.LoadReport;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.runtime.BreakerView;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeEvent;
import io.bulwark.runtime.SystemRuntime;
import java.io.Console;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * One run of the demo: starts the shop (progress on the view), reads the catalog's assortment, runs
 * the load and the game day together with the live view, then judges the SLOs and checks the
 * invariants, and closes the shop (always, also on failure or Ctrl-C).
 */
final class DemoRun {
  /** How long the shop may take to settle accepted work before the invariants are judged. */
  static final Duration QUIESCE_BUDGET = Duration.ofSeconds(30);

  private final DemoOptions options;
  private final boolean resilience;
  private final PrintStream out;
  private final RunControl control;

  /** The warm-up's seed is the run's plus this, so its carts and keys never meet the run's. */
  static final long WARMUP_SEED_OFFSET = 1_000_003;

  private final Map<String, BreakerView> opened = new LinkedHashMap<>();
  private final Map<String, Set<Integer>> ports = new ConcurrentHashMap<>();

  /** The live dashboard of this run (a no-op one when headless). */
  private DemoDashboard dashboard = DemoDashboard.NONE;

  DemoRun(DemoOptions options, boolean resilience, PrintStream out, RunControl control) {
    this.options = options;
    this.resilience = resilience;
    this.out = out;
    this.control = control;
  }

  RunResult run(Path storageRoot) {
    return run(storageRoot, ShopBackends.EMBEDDED);
  }

  /** Runs the shop on {@code backends} (the embedded log and SQLite, or Kafka/PostgreSQL). */
  RunResult run(Path storageRoot, ShopBackends backends) {
    Scenario scenario = Scenarios.byName(options.scenario());
    String title =
        String.format(
            Locale.ROOT,
            "scenario %s · resilience %s · %.0f req/s · seed %d",
            scenario.name(),
            resilience ? "ON" : "OFF",
            options.rate(),
            options.seed());
    // since JDK 22 System.console() exists also when output is piped: isTerminal() tells
    boolean ansi =
        !options.headless()
            && Optional.ofNullable(System.console()).map(Console::isTerminal).orElse(false);
    LiveView view = new LiveView(out, ansi, title, options.duration());
    out.println(
        "starting the shop ("
            + title
            + "), storage "
            + storageRoot
            + ", backend "
            + backends.label());
    long begin = System.nanoTime();
    ShopOptions shopOptions =
        new ShopOptions(resilience, options.seed(), storageRoot, options.basePort(), backends);
    RunResult result;
    long closing;
    if (options.processes()) {
      out.println(
          "process mode: one child JVM per instance (kill = SIGKILL, deploy = a new child);"
              + " catalog, orders, shipping and notifications share the embedded event log with"
              + " this JVM and run in it; chaos faults reach the children through their"
              + " /chaos/faults admin endpoints");
    }
    try (Shop shop = Shop.start(shopOptions, view, true, options.processes());
        DemoDashboard dashboard = DemoDashboard.open(options, shop, out)) {
      Duration startup = Duration.ofNanos(System.nanoTime() - begin);
      out.printf(Locale.ROOT, "shop ready in %d ms%n", startup.toMillis());
      printMetrics(shop.runtime());
      this.dashboard = dashboard;
      // the users reach the shop through its edge (the gateway) only
      URI edge = shop.edgeUri();
      out.printf(Locale.ROOT, "shop edge (gateway) at %s%n", edge);
      Assortment assortment = AssortmentReader.read(edge);
      warmUp(edge, assortment);
      LoadOptions load = LoadOptions.of(options.rate(), options.duration(), options.seed());
      LoadGenerator users =
          LoadGenerator.throughEdge(load, new LoadPlan(options.seed(), assortment), edge);
      result = runLoad(shop, scenario, users, view, startup);
      closing = System.nanoTime();
    }
    out.printf(Locale.ROOT, "shop stopped in %d ms%n", (System.nanoTime() - closing) / 1_000_000);
    return result;
  }

  private RunResult runLoad(
      Shop shop, Scenario scenario, LoadGenerator users, LiveView view, Duration startup) {
    SystemRuntime runtime = shop.runtime();
    long loadStart = runtime.clock().wallMillis();
    runtime.takeStats();
    trackPorts(runtime);
    users.addListener(
        interval -> {
          List<BreakerView> breakers = runtime.breakers();
          track(breakers, false);
          trackPorts(runtime);
          List<io.bulwark.runtime.ServiceStats> stats = runtime.takeStats();
          dashboard.offerStats(stats);
          view.tick(interval, users.snapshot(), stats, breakers);
        });
    LoadReport report;
    List<StepEvent> steps;
    List<String> faults = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (SystemScheduler scheduler = SystemScheduler.create();
        Chaos chaos =
            Chaos.builder()
                .config(ChaosConfig.enabledDefaults())
                .scheduler(scheduler)
                .listener(chaosLog(faults))
                .listener(runtime.chaosRelay()) // process mode: to the children too
                .build()) {
      GameDay day =
          new GameDay(
              scenario,
              options.duration(),
              runtime::instance,
              scheduler,
              new GameDayChaos(
                  chaos,
                  runtime.instanceKiller(),
                  runtime.partitioner(),
                  runtime::rollingDeploy,
                  users::rateFactor,
                  options.duration(),
                  new io.bulwark.examples.shop.gameday.NetworkIntruder(
                      runtime::readyEndpoints, runtime.model().name())));
      dashboard.attachChaos(chaos);
      control.attach(users);
      day.addListener(view);
      day.addListener(dashboard);
      view.loadStarted();
      try {
        day.start();
        report = users.run();
      } finally {
        day.close();
      }
      steps = day.events();
    } finally {
      dashboard.attachChaos(null);
      control.detach();
    }
    track(runtime.breakers(), true);
    out.println(faults.isEmpty() ? "chaos faults: none" : "chaos faults:");
    faults.forEach(f -> out.println("  " + f));
    InvariantReport invariants = null;
    if (control.stopped()) {
      out.println("stopped: the invariants are not judged");
    } else {
      out.println("load done; letting the shop settle, then checking the invariants...");
      long settle = System.nanoTime();
      invariants = shop.checkInvariants(QUIESCE_BUDGET);
      out.printf(
          Locale.ROOT, "invariants checked in %d ms%n", (System.nanoTime() - settle) / 1_000_000);
    }
    // after the settling: the autoscaler's scale-in after the spike may come that late in a short
    // run
    List<RuntimeEvent> runtimeEvents = runtimeEvents(runtime, loadStart);
    printRuntimeEvents(runtimeEvents, loadStart);
    return new RunResult(
        resilience,
        scenario.name(),
        report,
        UserSlos.judge(report),
        invariants,
        steps,
        new ArrayList<>(opened.values()),
        startup,
        ports,
        runtimeEvents);
  }

  /**
   * Runs the same load, with another seed, for the warm-up: the JIT compiles the hot paths before
   * the judged run. Not judged, not in the report; one line per second.
   */
  private void warmUp(URI edge, Assortment assortment) {
    if (options.warmup().isZero() || control.stopped()) {
      return;
    }
    out.printf(
        Locale.ROOT,
        "warming up for %d s at %.0f req/s (JIT compilation; not judged)%n",
        options.warmup().toSeconds(),
        options.rate());
    long seed = options.seed() + WARMUP_SEED_OFFSET;
    LoadGenerator warm =
        LoadGenerator.throughEdge(
            LoadOptions.of(options.rate(), options.warmup(), seed),
            new LoadPlan(seed, assortment),
            edge);
    // process mode: every child JVM starts cold (C1 compiling, classes loading); the full rate at
    // once times calls out and opens breakers that the judged run would inherit, so the rate
    // ramps up over the warm-up's first half
    long rampSeconds = options.processes() ? Math.max(1, options.warmup().toSeconds() / 2) : 0;
    if (rampSeconds > 0) {
      out.printf(Locale.ROOT, "  (process mode: the rate ramps up over %d s)%n", rampSeconds);
      warm.rateFactor(rampFactor(0, rampSeconds));
    }
    warm.addListener(
        i -> {
          if (rampSeconds > 0) {
            warm.rateFactor(rampFactor(i.second() + 1, rampSeconds));
          }
          out.printf(
              Locale.ROOT,
              "  warm-up %3ds: %d req/s, errors %.1f%%, p99 %s%n",
              i.second() + 1,
              i.requests(),
              100 * i.errorRate(),
              LiveView.millis(i.p99Micros()));
        });
    control.attach(warm);
    try {
      warm.run();
    } finally {
      control.detach();
    }
  }

  /** The warm-up's rate factor {@code second} s into a ramp of {@code rampSeconds}: 0.1 to 1. */
  static double rampFactor(long second, long rampSeconds) {
    return Math.min(1.0, 0.1 + 0.9 * second / rampSeconds);
  }

  /** Prints each chaos fault as it starts and ends (the live timeline) and keeps the list. */
  private Chaos.Listener chaosLog(List<String> faults) {
    return new Chaos.Listener() {
      @Override
      public void started(ActiveFault fault) {
        out.println("chaos: " + describe(fault) + " started");
      }

      @Override
      public void ended(ActiveFault fault, Chaos.EndReason reason) {
        String line = describe(fault) + " from " + fault.startedAt() + ", ended " + reason;
        out.println("chaos: " + line);
        faults.add(line);
      }
    };
  }

  /**
   * The runtime's own doings since {@code sinceMillis}: rollouts and rollbacks, kills, partitions
   * and heals, scaling (what the game day set in motion and what the runtime decided itself).
   */
  private static List<RuntimeEvent> runtimeEvents(SystemRuntime runtime, long sinceMillis) {
    return runtime.events().stream()
        .filter(e -> e.atMillis() >= sinceMillis && SHOWN.contains(e.kind()))
        .toList();
  }

  private void printRuntimeEvents(List<RuntimeEvent> events, long sinceMillis) {
    out.println(events.isEmpty() ? "runtime events: none" : "runtime events:");
    for (RuntimeEvent e : events) {
      out.printf(
          Locale.ROOT,
          "  +%5.1fs %-17s %-16s %s%n",
          (e.atMillis() - sinceMillis) / 1000.0,
          e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '),
          e.instance() != null ? e.instance() : e.service(),
          e.detail());
    }
  }

  private static final Set<RuntimeEvent.Kind> SHOWN =
      java.util.EnumSet.of(
          RuntimeEvent.Kind.ROLLOUT_COMPLETED,
          RuntimeEvent.Kind.ROLLED_BACK,
          RuntimeEvent.Kind.KILLED,
          RuntimeEvent.Kind.PARTITIONED,
          RuntimeEvent.Kind.HEALED,
          RuntimeEvent.Kind.SCALED);

  private static String describe(ActiveFault f) {
    return f.id() + " " + f.spec().fault() + " over " + f.spec().radius();
  }

  private void trackPorts(SystemRuntime runtime) {
    for (InstanceHandle instance : runtime.instances()) {
      if (instance.port() > 0) {
        ports
            .computeIfAbsent(instance.id(), id -> new ConcurrentSkipListSet<>())
            .add(instance.port());
      }
    }
  }

  /** Remembers every breaker seen away from CLOSED, and at the end every one that moved. */
  private void track(List<BreakerView> breakers, boolean last) {
    for (BreakerView v : breakers) {
      boolean moved = v.state() != CircuitBreaker.State.CLOSED || (last && v.transitions() > 0);
      if (moved) {
        opened.putIfAbsent(v.instanceId() + " " + v.breaker(), v);
      }
    }
  }

  private void printMetrics(SystemRuntime runtime) {
    out.println("metrics (Prometheus) of each instance:");
    for (InstanceHandle instance : runtime.instances()) {
      out.printf(
          Locale.ROOT, "  %-18s http://127.0.0.1:%d/metrics%n", instance.id(), instance.port());
    }
  }
}
