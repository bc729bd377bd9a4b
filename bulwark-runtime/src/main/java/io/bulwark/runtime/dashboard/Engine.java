package io.bulwark.runtime.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.Chaos;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.time.Scheduler;
import io.bulwark.runtime.BreakerView;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeEvent;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.ServiceStats;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.telemetry.RedSnapshot;
import io.bulwark.telemetry.slo.SloEvaluator;
import io.bulwark.telemetry.slo.SloStatus;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's model: collects, once per tick, what every source says, keeps the chart history
 * and the timeline, and builds the JSON snapshot that the API and the event stream serve.
 */
final class Engine {
  static final String ABSENT = "not in this system";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int DECISIONS = 200;

  private final SystemRuntime runtime;
  private final Scheduler scheduler;
  private final boolean ownStats;
  private final @Nullable String sagaService;
  private final String sagaPrefix;
  private final @Nullable TopicLagSource topics;
  private final GatewayPanel gateways;
  private final @Nullable SloEvaluator slos;
  private final int historyPoints;
  private final Timeline timeline;

  private volatile @Nullable Chaos chaos;
  private final ConcurrentLinkedQueue<List<ServiceStats>> offered = new ConcurrentLinkedQueue<>();
  private final ReentrantLock decisionsLock = new ReentrantLock();
  private final ArrayDeque<ObjectNode> decisions = new ArrayDeque<>();
  private volatile boolean decided;

  // guarded by tickLock
  private final ReentrantLock tickLock = new ReentrantLock();
  private final Map<String, History> history = new LinkedHashMap<>();
  private final RouteHistory routeHistory;
  private final Map<String, ServiceStats> lastStats = new HashMap<>();
  private final Map<String, Incarnation> previousRed = new HashMap<>();
  private boolean observed;
  private final Map<String, BreakerView> previousBreakers = new HashMap<>();
  private Map<String, ActiveFault> previousFaults = Map.of();
  private Set<String> previousFiring = Set.of();
  private long previousTickNanos = -1;

  private volatile ObjectNode snapshot;

  Engine(
      SystemRuntime runtime,
      Scheduler scheduler,
      boolean ownStats,
      @Nullable String sagaService,
      String sagaPrefix,
      @Nullable TopicLagSource topics,
      @Nullable SloEvaluator slos,
      int historyPoints,
      GatewayPanel gateways) {
    this.gateways = gateways;
    this.runtime = runtime;
    this.scheduler = scheduler;
    this.ownStats = ownStats;
    this.sagaService = sagaService;
    this.sagaPrefix = sagaPrefix;
    this.topics = topics;
    this.slos = slos;
    this.historyPoints = historyPoints;
    this.routeHistory = new RouteHistory(historyPoints);
    this.timeline = new Timeline(runtime.clock());
    for (ServiceSpec s : runtime.model().services()) {
      history.put(s.name(), new History(historyPoints));
    }
    runtime.addListener(new Lifecycle());
    timeline.add(
        "dashboard",
        runtime.model().name(),
        "watching " + runtime.instances().size() + " instances");
    this.snapshot = JSON.objectNode();
  }

  SystemRuntime runtime() {
    return runtime;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Timeline timeline() {
    return timeline;
  }

  @Nullable Chaos chaos() {
    return chaos;
  }

  @Nullable String sagaService() {
    return sagaService;
  }

  String sagaPrefix() {
    return sagaPrefix;
  }

  void attachChaos(@Nullable Chaos c) {
    this.chaos = c;
  }

  void offerStats(List<ServiceStats> stats) {
    offered.add(stats);
  }

  void recordDecision(String service, String policy, int from, int to, String reason) {
    ObjectNode n = JSON.objectNode();
    n.put("at", runtime.clock().instant().toString());
    n.put("service", service);
    n.put("policy", policy);
    n.put("from", from);
    n.put("to", to);
    n.put("reason", reason);
    decisionsLock.lock();
    try {
      decisions.addFirst(n);
      if (decisions.size() > DECISIONS) {
        decisions.removeLast();
      }
    } finally {
      decisionsLock.unlock();
    }
    decided = true;
    timeline.add(
        "scale", service, policy + ": " + from + " -> " + to + " instances (" + reason + ")");
  }

  /** The latest snapshot (an empty object before the first tick). */
  ObjectNode snapshot() {
    return snapshot;
  }

  /** Collects every source and builds a new snapshot. */
  void tick() {
    tickLock.lock();
    try {
      long now = runtime.clock().nanoTime();
      long intervalNanos = previousTickNanos < 0 ? 0 : now - previousTickNanos;
      previousTickNanos = now;
      ObjectNode s = JSON.objectNode();
      ObjectNode system = s.putObject("system");
      system.put("name", runtime.model().name());
      system.put("at", runtime.clock().instant().toString());
      collectStats();
      RedCounts red = collectRed(intervalNanos);
      s.set("topology", topology(red));
      s.set("red", red(red));
      s.set("breakers", breakers());
      s.set("faults", faults());
      s.set("slos", slos());
      s.set("topics", topics());
      s.set("gateway", gateways.json(intervalNanos, timeline));
      s.set("autoscaler", autoscaler());
      ObjectNode sagas = s.putObject("sagas");
      sagas.put("available", sagaService != null);
      if (sagaService == null) {
        sagas.put("reason", ABSENT);
      } else {
        sagas.put("service", sagaService);
        sagas.put("prefix", sagaPrefix);
      }
      s.set("timeline", timeline.json(200));
      snapshot = s;
    } finally {
      tickLock.unlock();
    }
  }

  private void collectStats() {
    List<List<ServiceStats>> intervals = new ArrayList<>();
    if (ownStats) {
      intervals.add(runtime.takeStats());
    }
    for (List<ServiceStats> l; (l = offered.poll()) != null; ) {
      intervals.add(l);
    }
    long at = runtime.clock().wallMillis();
    for (List<ServiceStats> interval : intervals) {
      for (ServiceStats st : interval) {
        History h = history.computeIfAbsent(st.service(), k -> new History(historyPoints));
        h.add(at, st);
        lastStats.put(st.service(), st);
      }
    }
  }

  /**
   * Per route and per dependency: what was served since the previous tick, from each instance's
   * running incarnation. The first tick only takes the baseline; afterwards a series or an
   * incarnation seen for the first time counts from zero (it began after the previous tick).
   */
  private RedCounts collectRed(long intervalNanos) {
    RedCounts out = new RedCounts(intervalNanos);
    Map<String, Incarnation> now = new HashMap<>();
    for (InstanceHandle instance : runtime.instances()) {
      if (instance.state() != io.bulwark.runtime.InstanceState.READY) {
        continue;
      }
      Incarnation before = previousRed.get(instance.id());
      if (before != null && before.incarnation != instance.incarnation()) {
        before = null; // restarted since: the new incarnation's counts began at zero
      }
      Incarnation current = new Incarnation(instance.incarnation());
      now.put(instance.id(), current);
      for (String kind : List.of("endpoint", "dependency")) {
        for (RedSnapshot r : instance.redSnapshots(kind)) {
          String key = kind + "\u0000" + r.name();
          long total = r.total();
          long[] counts = {total, total - r.count(Outcome.SUCCESS), r.sumNanos()};
          current.counts.put(key, counts);
          if (!observed) {
            continue; // the baseline
          }
          long[] was = before == null ? null : before.counts.get(key);
          long[] base = was == null || was[0] > total ? new long[3] : was;
          out.add(
              kind,
              instance.service(),
              r.name(),
              counts[0] - base[0],
              counts[1] - base[1],
              counts[2] - base[2]);
        }
      }
    }
    previousRed.clear();
    previousRed.putAll(now);
    observed = true;
    return out;
  }

  /** One incarnation's cumulative counts per series: {requests, errors, summed nanos}. */
  private static final class Incarnation {
    final long incarnation;
    final Map<String, long[]> counts = new HashMap<>();

    Incarnation(long incarnation) {
      this.incarnation = incarnation;
    }
  }

  private ObjectNode topology(RedCounts red) {
    ObjectNode t = JSON.objectNode();
    ArrayNode services = t.putArray("services");
    Set<String> names = new HashSet<>();
    for (ServiceSpec spec : runtime.model().services()) {
      names.add(spec.name());
      ObjectNode s = services.addObject();
      s.put("name", spec.name());
      s.put("version", spec.version());
      ArrayNode deps = s.putArray("dependsOn");
      spec.dependsOn().forEach(deps::add);
      ArrayNode instances = s.putArray("instances");
      int ready = 0;
      List<InstanceHandle> handles = runtime.instances(spec.name());
      for (InstanceHandle h : handles) {
        ObjectNode i = instances.addObject();
        i.put("id", h.id());
        i.put("state", h.state().name());
        i.put("version", h.version());
        i.put("port", h.port());
        if (h.state() == io.bulwark.runtime.InstanceState.READY) {
          ready++;
        }
      }
      s.put("ready", ready);
      s.put("total", handles.size());
      s.put("health", ready == handles.size() ? "healthy" : ready == 0 ? "down" : "degraded");
      ServiceStats st = lastStats.get(spec.name());
      s.put("rps", st == null ? 0 : round(st.requestsPerSecond()));
      s.put("errorRatio", st == null ? 0 : round(st.errorRate()));
      s.put("p99Ms", st == null ? 0 : round(st.p99Nanos() / 1e6));
      s.put("p50Ms", st == null ? 0 : round(st.p50Nanos() / 1e6));
      s.put("rateLimitedPerSecond", st == null ? 0 : round(perSecond(st, st.rateLimited())));
      s.put("unavailablePerSecond", st == null ? 0 : round(perSecond(st, st.unavailable())));
    }
    ArrayNode edges = t.putArray("edges");
    Map<String, ObjectNode> byKey = new LinkedHashMap<>();
    for (ServiceSpec spec : runtime.model().services()) {
      for (String d : spec.dependsOn()) {
        ObjectNode e = JSON.objectNode();
        e.put("from", spec.name());
        e.put("to", d);
        e.put("declared", true);
        e.put("measured", false);
        e.put("rps", 0);
        e.put("errorRatio", 0);
        byKey.put(spec.name() + "\u0000" + d, e);
      }
    }
    for (Map.Entry<String, long[]> d : red.dependencies.entrySet()) {
      String[] parts = d.getKey().split("\u0000", 2);
      ObjectNode e =
          byKey.computeIfAbsent(
              d.getKey(),
              k -> {
                ObjectNode n = JSON.objectNode();
                n.put("from", parts[0]);
                n.put("to", parts[1]);
                n.put("declared", false);
                return n;
              });
      long[] c = d.getValue();
      e.put("measured", true);
      e.put("known", names.contains(parts[1]));
      e.put("rps", round(red.perSecond(c[0])));
      e.put("errorRatio", c[0] == 0 ? 0 : round((double) c[1] / c[0]));
      e.put("calls", c[0]);
    }
    byKey.values().forEach(edges::add);
    return t;
  }

  private ObjectNode red(RedCounts red) {
    ObjectNode r = JSON.objectNode();
    ObjectNode services = r.putObject("services");
    for (Map.Entry<String, History> e : history.entrySet()) {
      services.set(e.getKey(), e.getValue().json());
    }
    if (red.intervalNanos > 0) {
      routeHistory.add(runtime.clock().wallMillis(), red.endpoints, red.intervalNanos);
    }
    r.set("routeHistory", routeHistory.json());
    ArrayNode routes = r.putArray("routes");
    for (Map.Entry<String, long[]> e : red.endpoints.entrySet()) {
      String[] parts = e.getKey().split("\u0000", 2);
      long[] c = e.getValue();
      ObjectNode n = routes.addObject();
      n.put("service", parts[0]);
      n.put("route", parts[1]);
      n.put("requests", c[0]);
      n.put("rps", round(red.perSecond(c[0])));
      n.put("errorRatio", c[0] == 0 ? 0 : round((double) c[1] / c[0]));
      n.put("meanMs", c[0] == 0 ? 0 : round(c[2] / 1e6 / c[0]));
    }
    return r;
  }

  private ArrayNode breakers() {
    ArrayNode out = JSON.arrayNode();
    for (BreakerView v : runtime.breakers()) {
      String key = v.instanceId() + " " + v.breaker();
      BreakerView before = previousBreakers.put(key, v);
      if (before != null ? before.transitions() != v.transitions() : v.transitions() > 0) {
        timeline.add("breaker", key, "now " + v.state() + " (" + v.reason() + ")");
      }
      ObjectNode n = out.addObject();
      n.put("instance", v.instanceId());
      n.put("breaker", v.breaker());
      n.put("state", v.state().name());
      n.put("reason", v.reason());
      n.put("transitions", v.transitions());
    }
    return out;
  }

  private ObjectNode faults() {
    ObjectNode f = JSON.objectNode();
    Chaos c = chaos;
    f.put("available", c != null);
    ArrayNode active = f.putArray("active");
    if (c == null) {
      f.put("reason", ABSENT);
      return f;
    }
    Map<String, ActiveFault> now = new LinkedHashMap<>();
    for (ActiveFault a : c.active()) {
      now.put(a.id(), a);
      if (!previousFaults.containsKey(a.id())) {
        timeline.add("fault", a.id(), "started: " + describe(a));
      }
      ObjectNode n = active.addObject();
      n.put("id", a.id());
      n.put("fault", a.spec().fault().type());
      n.put("detail", a.spec().fault().toString());
      n.put("radius", a.spec().radius().toString());
      n.put("experiment", a.spec().experiment());
      n.put("startedAt", a.startedAt().toString());
      n.put("expiresAt", a.expiresAt().toString());
      n.put("injections", c.injections(a.id()));
    }
    for (ActiveFault gone : previousFaults.values()) {
      if (!now.containsKey(gone.id())) {
        timeline.add("fault", gone.id(), "ended: " + describe(gone));
      }
    }
    previousFaults = now;
    return f;
  }

  static String describe(ActiveFault a) {
    String exp = a.spec().experiment();
    return a.spec().fault()
        + " over "
        + a.spec().radius()
        + (exp.isEmpty() ? "" : " (experiment " + exp + ")");
  }

  private ObjectNode slos() {
    ObjectNode out = JSON.objectNode();
    SloEvaluator e = slos;
    out.put("available", e != null);
    ArrayNode list = out.putArray("list");
    if (e == null) {
      out.put("reason", ABSENT);
      return out;
    }
    Set<String> firing = new HashSet<>();
    for (SloStatus st : e.status()) {
      ObjectNode n = list.addObject();
      n.put("slo", st.slo());
      n.put("objective", st.objective());
      n.put("budgetRemaining", round(st.errorBudgetRemaining()));
      ArrayNode f = n.putArray("firing");
      for (String id : st.firing()) {
        f.add(id);
        String key = st.slo() + "/" + id;
        firing.add(key);
        if (!previousFiring.contains(key)) {
          timeline.add("alert", key, "burn-rate alert firing");
        }
      }
    }
    for (String key : previousFiring) {
      if (!firing.contains(key)) {
        timeline.add("alert", key, "burn-rate alert resolved");
      }
    }
    previousFiring = firing;
    return out;
  }

  private ObjectNode topics() {
    ObjectNode out = JSON.objectNode();
    TopicLagSource src = topics;
    out.put("available", src != null);
    ArrayNode list = out.putArray("list");
    if (src == null) {
      out.put("reason", ABSENT);
      return out;
    }
    try {
      TreeMap<String, TopicLag> sorted = new TreeMap<>();
      for (TopicLag l : src.lags()) {
        sorted.put(l.topic() + "\u0000" + l.group() + "\u0000" + l.partition(), l);
      }
      for (TopicLag l : sorted.values()) {
        ObjectNode n = list.addObject();
        n.put("topic", l.topic());
        n.put("partition", l.partition());
        n.put("group", l.group());
        n.put("endOffset", l.endOffset());
        n.put("committed", l.committed());
        n.put("lag", l.lag());
      }
    } catch (RuntimeException ex) {
      out.put("error", "the lag source failed: " + ex);
    }
    return out;
  }

  private ObjectNode autoscaler() {
    ObjectNode out = JSON.objectNode();
    out.put("available", decided);
    if (!decided) {
      out.put("reason", ABSENT);
    }
    ArrayNode list = out.putArray("decisions");
    decisionsLock.lock();
    try {
      decisions.forEach(list::add);
    } finally {
      decisionsLock.unlock();
    }
    return out;
  }

  private static double perSecond(ServiceStats st, long n) {
    return st.intervalNanos() <= 0 ? 0 : n * 1e9 / st.intervalNanos();
  }

  static double round(double v) {
    if (!Double.isFinite(v)) {
      return 0;
    }
    return Math.round(v * 1000) / 1000.0;
  }

  /** Requests, errors and summed latency per service and route/dependency over one tick. */
  private static final class RedCounts {
    final long intervalNanos;
    final Map<String, long[]> endpoints = new TreeMap<>();
    final Map<String, long[]> dependencies = new TreeMap<>();

    RedCounts(long intervalNanos) {
      this.intervalNanos = intervalNanos;
    }

    void add(String kind, String service, String name, long n, long errors, long nanos) {
      Map<String, long[]> m = kind.equals("endpoint") ? endpoints : dependencies;
      long[] c = m.computeIfAbsent(service + "\u0000" + name, k -> new long[3]);
      c[0] += n;
      c[1] += errors;
      c[2] += nanos;
    }

    double perSecond(long n) {
      return intervalNanos <= 0 ? 0 : n * 1e9 / intervalNanos;
    }
  }

  /** The chart history of one service: one point per stats interval. */
  private static final class History {
    private final int capacity;
    private final ArrayDeque<double[]> points = new ArrayDeque<>();

    History(int capacity) {
      this.capacity = capacity;
    }

    void add(long atMillis, ServiceStats s) {
      points.addLast(
          new double[] {
            atMillis,
            round(s.requestsPerSecond()),
            round(100 * s.errorRate()),
            round(s.p50Nanos() / 1e6),
            round(s.p99Nanos() / 1e6),
            round(100 * s.rateLimitedRate()),
            round(100 * s.unavailableRate())
          });
      if (points.size() > capacity) {
        points.removeFirst();
      }
    }

    ObjectNode json() {
      ObjectNode n = JSON.objectNode();
      ArrayNode t = n.putArray("t");
      ArrayNode rps = n.putArray("rps");
      ArrayNode err = n.putArray("errorPct");
      ArrayNode p50 = n.putArray("p50Ms");
      ArrayNode p99 = n.putArray("p99Ms");
      ArrayNode limited = n.putArray("rateLimitedPct");
      ArrayNode unavailable = n.putArray("unavailablePct");
      for (double[] p : points) {
        t.add((long) p[0]);
        rps.add(p[1]);
        err.add(p[2]);
        p50.add(p[3]);
        p99.add(p[4]);
        limited.add(p[5]);
        unavailable.add(p[6]);
      }
      return n;
    }
  }

  /**
   * The runtime's event feed (instances, deploys, rollouts, scaling, partitions), onto the
   * timeline.
   */
  private final class Lifecycle implements RuntimeListener {
    /** Decisions of the autoscalers the runtime runs itself (system-file {@code autoscale:}). */
    @Override
    public void onDecision(io.bulwark.runtime.autoscale.ScalingDecision d) {
      recordDecision(d.service(), d.policy(), d.from(), d.to(), d.reason());
    }

    @Override
    public void onEvent(RuntimeEvent e) {
      String kind =
          switch (e.kind()) {
            case STARTING -> "";
            case READY, STOPPED, KILLED, FAILED, CRASHED -> "instance";
            case DEPLOYED, ROLLOUT_STEP, ROLLOUT_COMPLETED, ROLLED_BACK -> "deploy";
            case SCALED -> "scale";
            case PARTITIONED, HEALED -> "partition";
          };
      if (kind.isEmpty()) {
        return; // a start shows as its READY or FAILED
      }
      String subject = e.instance() != null ? e.instance() : e.service();
      timeline.add(
          Instant.ofEpochMilli(e.atMillis()),
          kind,
          subject,
          e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + e.detail());
    }
  }
}
