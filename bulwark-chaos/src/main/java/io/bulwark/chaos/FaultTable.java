package io.bulwark.chaos;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.fault.FaultTag;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active faults of one {@link Chaos} and its {@link FaultInjector}.
 *
 * <p>Design notes: the faults live in a copy-on-write array read without a lock on every decision;
 * start and end swap it under a lock held only for the swap (effects, timers and listeners run
 * outside it). The injector is installed in {@link FaultPoints} when the array becomes non-empty
 * and removed when it becomes empty, both under the lock, so the two never disagree for long: a
 * decision that reads a stale array still checks each fault's expiry on the clock, so no fault acts
 * after its expiry even if its timer runs late. Percentages hash the request id with the fault's
 * seed (SplitMix64 finaliser), so the choice is a pure function of (seed, request id) and, per
 * attempt (the default), of the attempt number: a first attempt hashes as a per-request decision.
 */
final class FaultTable implements FaultInjector {
  private static final Logger LOG = LoggerFactory.getLogger(Chaos.class);
  private static final Entry[] NONE = new Entry[0];

  private final ChaosConfig config;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Telemetry telemetry;
  private final List<Chaos.Listener> listeners;
  private final Map<Class<? extends Fault>, AmbientEffect> ambient;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicLong> injections = new ConcurrentHashMap<>();
  private volatile Entry[] entries = NONE;

  FaultTable(
      ChaosConfig config,
      Scheduler scheduler,
      Telemetry telemetry,
      List<Chaos.Listener> listeners,
      Map<Class<? extends Fault>, AmbientEffect> ambient) {
    this.config = config;
    this.scheduler = scheduler;
    this.clock = scheduler.clock();
    this.telemetry = telemetry;
    this.listeners = listeners;
    this.ambient = ambient;
  }

  ChaosConfig config() {
    return config;
  }

  ActiveFault start(FaultSpec spec) {
    if (!config.enabled()) {
      throw new IllegalStateException(
          "chaos is disabled: set enabled: true in the chaos config to start faults");
    }
    if (spec.duration().compareTo(config.maxDuration()) > 0) {
      throw new IllegalArgumentException(
          "fault duration "
              + spec.duration()
              + " exceeds the maximum "
              + config.maxDuration()
              + " (max-duration)");
    }
    AmbientEffect effect = null;
    if (spec.fault().ambient()) {
      effect = ambient.get(spec.fault().getClass());
      if (effect == null) {
        throw new IllegalArgumentException(
            "no effect can run a " + spec.fault().type() + " fault in this process");
      }
    }
    Entry entry = add(spec);
    try {
      if (effect != null) {
        entry.stop = effect.start(spec.fault(), spec.duration(), scheduler);
      }
      entry.expiry =
          scheduler.schedule(
              Scheduler.saturatedNanos(spec.duration()), () -> end(entry, Chaos.EndReason.EXPIRED));
    } catch (RuntimeException e) {
      remove(entry);
      throw e;
    }
    LOG.atInfo()
        .addKeyValue(FaultTag.FAULT_ID, entry.fault.id())
        .addKeyValue(FaultTag.FAULT_TYPE, spec.fault().type())
        .addKeyValue(FaultTag.EXPERIMENT, spec.experiment())
        .log(
            "chaos fault {} started: {} over {} until {}",
            entry.fault.id(),
            spec.fault(),
            spec.radius(),
            entry.fault.expiresAt());
    for (Chaos.Listener l : listeners) {
      l.started(entry.fault);
    }
    return entry.fault;
  }

  private Entry add(FaultSpec spec) {
    lock.lock();
    try {
      Entry[] current = entries;
      if (current.length >= config.maxActiveFaults()) {
        throw new IllegalStateException(
            "at most " + config.maxActiveFaults() + " faults may be active (max-active-faults)");
      }
      if (current.length == 0 && !FaultPoints.install(this)) {
        throw new IllegalStateException(
            "another Chaos controller has faults active in this process; clear them first");
      }
      String id = "fault-" + ids.incrementAndGet();
      long nowWall = clock.wallMillis();
      Instant started = Instant.ofEpochMilli(nowWall);
      ActiveFault fault = new ActiveFault(id, spec, started, started.plus(spec.duration()));
      Entry entry =
          new Entry(
              fault,
              new FaultTag(id, spec.fault().type(), spec.experiment()),
              saturatedAdd(clock.nanoTime(), Scheduler.saturatedNanos(spec.duration())));
      injections.put(id, entry.injected);
      Entry[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = entry;
      entries = next;
      return entry;
    } finally {
      lock.unlock();
    }
  }

  /** Removes {@code entry}; returns false if it was not active. */
  private boolean remove(Entry entry) {
    lock.lock();
    try {
      Entry[] current = entries;
      int at = -1;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == entry) {
          at = i;
        }
      }
      if (at < 0) {
        return false;
      }
      Entry[] next = new Entry[current.length - 1];
      System.arraycopy(current, 0, next, 0, at);
      System.arraycopy(current, at + 1, next, at, current.length - at - 1);
      entries = next.length == 0 ? NONE : next;
      if (next.length == 0) {
        FaultPoints.uninstall(this);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private boolean end(Entry entry, Chaos.EndReason reason) {
    if (!remove(entry)) {
      return false;
    }
    ScheduledTask expiry = entry.expiry;
    if (expiry != null) {
      expiry.cancel();
    }
    AutoCloseable stop = entry.stop;
    if (stop != null) {
      try {
        stop.close();
      } catch (Exception e) {
        LOG.warn("chaos fault {}: stopping its effect failed", entry.fault.id(), e);
      }
    }
    LOG.atInfo()
        .addKeyValue(FaultTag.FAULT_ID, entry.fault.id())
        .log(
            "chaos fault {} ended ({}) after {} injections",
            entry.fault.id(),
            reason,
            entry.injected.get());
    for (Chaos.Listener l : listeners) {
      try {
        l.ended(entry.fault, reason);
      } catch (RuntimeException e) {
        LOG.warn("chaos listener failed", e);
      }
    }
    return true;
  }

  boolean clear(String id, Chaos.EndReason reason) {
    for (Entry e : entries) {
      if (e.fault.id().equals(id)) {
        return end(e, reason);
      }
    }
    return false;
  }

  int clearAll() {
    int n = 0;
    for (Entry e : entries) {
      if (end(e, Chaos.EndReason.CLEARED)) {
        n++;
      }
    }
    return n;
  }

  List<ActiveFault> active() {
    Entry[] current = entries;
    List<ActiveFault> out = new ArrayList<>(current.length);
    for (Entry e : current) {
      out.add(e.fault);
    }
    return List.copyOf(out);
  }

  long injections(String id) {
    AtomicLong n = injections.get(id);
    return n == null ? 0 : n.get();
  }

  long skewMillis(String service) {
    Entry[] current = entries;
    if (current.length == 0) {
      return 0;
    }
    long now = clock.nanoTime();
    long skew = 0;
    FaultSite site = null;
    for (Entry e : current) {
      if (e.fault.spec().fault() instanceof Fault.ClockSkew s && now - e.expiresAtNanos < 0) {
        site = site == null ? new FaultSite(FaultPointKind.CLOCK, service, "", "") : site;
        if (e.fault.spec().radius().covers(site)) {
          skew += s.offset().toMillis();
        }
      }
    }
    return skew;
  }

  @Override
  public @Nullable FaultAction decide(FaultSite site) {
    Entry[] current = entries;
    if (current.length == 0) {
      return null;
    }
    long now = clock.nanoTime();
    Context ctx = null;
    for (Entry e : current) {
      FaultSpec spec = e.fault.spec();
      if (!spec.fault().points().contains(site.kind())
          || !spec.radius().covers(site)
          || now - e.expiresAtNanos >= 0) {
        continue;
      }
      ctx = ctx == null ? Context.current() : ctx;
      String cohort = spec.radius().cohort();
      if (cohort != null && !cohort.equals(ctx.baggage().get(FaultTag.EXPERIMENT))) {
        continue;
      }
      long hash = requestHash(spec.seed(), ctx, e);
      if (site.attempt() > 0 && spec.radius().decision() == BlastRadius.Decision.PER_ATTEMPT) {
        hash = mix(hash ^ (site.attempt() * GOLDEN));
      }
      if (spec.radius().percent() < 100 && !(unit(hash) * 100 < spec.radius().percent())) {
        continue;
      }
      FaultAction action = action(e, hash, now);
      record(e, site);
      return action;
    }
    return null;
  }

  private static FaultAction action(Entry e, long hash, long now) {
    FaultTag tag = e.tag;
    return switch (e.fault.spec().fault()) {
      case Fault.Latency l ->
          new FaultAction.Delay(tag, l.delay().sampleNanos(unit(mix(hash + GOLDEN))));
      case Fault.HttpError h -> new FaultAction.Status(tag, h.status());
      case Fault.Raise r -> new FaultAction.Raise(tag, r.newException());
      case Fault.SqlError q ->
          new FaultAction.Raise(
              tag, new io.bulwark.chaos.jdbc.InjectedSqlException(q.sqlState(), q.message(), tag));
      case Fault.Blackhole b -> new FaultAction.Blackhole(tag, Math.max(0, e.expiresAtNanos - now));
      case Fault.SlowBody s -> new FaultAction.SlowBody(tag, s.bytesPerSecond());
      case Fault.TruncatedBody t -> new FaultAction.TruncateBody(tag, t.keepBytes());
      case Fault.DuplicateDelivery d -> new FaultAction.Duplicate(tag, d.copies());
      case Fault.ReorderDelivery r -> new FaultAction.Reorder(tag, r.window());
      case Fault.ClockSkew c -> throw new IllegalStateException("clock skew acts on clocks only");
      case Fault.CpuBurn c -> throw new IllegalStateException("cpu burn acts at no point");
      case Fault.MemoryBallast m -> throw new IllegalStateException("ballast acts at no point");
    };
  }

  private void record(Entry e, FaultSite site) {
    e.injected.incrementAndGet();
    String experiment = e.tag.experiment();
    telemetry.decisions().faultInjected(experiment.isEmpty() ? "chaos" : experiment, e.tag.type());
    if (LOG.isDebugEnabled()) {
      LOG.atDebug()
          .addKeyValue(FaultTag.FAULT_ID, e.tag.faultId())
          .addKeyValue(FaultTag.FAULT_TYPE, e.tag.type())
          .addKeyValue(FaultTag.EXPERIMENT, experiment)
          .log("chaos fault {} injected at {}", e.tag.faultId(), site);
    }
  }

  @Override
  public String cohort(@Nullable String experiment) {
    if (experiment == null) {
      return io.bulwark.core.fault.ChaosCohort.CONTROL;
    }
    for (Entry e : entries) {
      if (experiment.equals(e.tag.experiment())) {
        return e.tag.experiment(); // the active fault's own string: names only from active faults
      }
      String cohort = e.fault.spec().radius().cohort();
      if (cohort != null && experiment.equals(cohort)) {
        return cohort;
      }
    }
    return io.bulwark.core.fault.ChaosCohort.OTHER;
  }

  @Override
  public void pause(long nanos) throws InterruptedException {
    if (nanos <= 0) {
      return;
    }
    CountDownLatch done = new CountDownLatch(1);
    ScheduledTask task = scheduler.schedule(nanos, done::countDown);
    try {
      done.await();
    } catch (InterruptedException e) {
      task.cancel();
      throw e;
    }
  }

  @Override
  public Scheduler scheduler() {
    return scheduler;
  }

  // --- the seeded per-request choice

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /**
   * The request's hash under {@code seed}: of its correlation id, else its trace id, else of the
   * fault's next sequence number (a request without id).
   */
  static long requestHash(long seed, Context ctx, Entry e) {
    String key = ctx.correlationId();
    if (key == null) {
      TraceContext trace = ctx.trace();
      key = trace == null ? null : trace.traceId();
    }
    long h = key == null ? e.sequence.getAndIncrement() * GOLDEN : fnv1a(key);
    return mix(seed ^ h);
  }

  /** The request's hash under {@code seed} for request id {@code key} (tests, reports). */
  static long requestHash(long seed, String key) {
    return mix(seed ^ fnv1a(key));
  }

  static boolean selected(long seed, String key, double percent) {
    return percent >= 100 || unit(requestHash(seed, key)) * 100 < percent;
  }

  /** Whether attempt {@code attempt} of request {@code key} is selected per attempt (tests). */
  static boolean selected(long seed, String key, int attempt, double percent) {
    long hash = requestHash(seed, key);
    if (attempt > 0) {
      hash = mix(hash ^ (attempt * GOLDEN));
    }
    return percent >= 100 || unit(hash) * 100 < percent;
  }

  private static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** One active fault. */
  static final class Entry {
    final ActiveFault fault;
    final FaultTag tag;
    final long expiresAtNanos;
    final AtomicLong sequence = new AtomicLong();
    final AtomicLong injected = new AtomicLong();
    volatile @Nullable ScheduledTask expiry;
    volatile @Nullable AutoCloseable stop;

    Entry(ActiveFault fault, FaultTag tag, long expiresAtNanos) {
      this.fault = fault;
      this.tag = tag;
      this.expiresAtNanos = expiresAtNanos;
    }
  }

  static Duration remaining(ActiveFault f, Clock clock) {
    return Duration.between(Instant.ofEpochMilli(clock.wallMillis()), f.expiresAt());
  }
}
