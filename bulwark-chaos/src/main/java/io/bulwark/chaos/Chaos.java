package io.bulwark.chaos;

import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjectedException;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The chaos controller and the entry point of chaos for user code. Faults are started at runtime
 * ({@link #start}), listed with their expiry ({@link #active()}), cleared one by one or all at
 * once; every fault expires on the injected {@link Scheduler} within {@link
 * ChaosConfig#maxDuration()}. Chaos is off unless the config enables it: {@link #start} refuses.
 *
 * <p>While at least one fault is active, this controller is the process's {@link FaultInjector}
 * (installed in {@link FaultPoints}); with none active, nothing is installed and every injection
 * point costs one field read. One controller may have faults active at a time in a process.
 *
 * <p>Per call, a fault applies when the point's kind is one it acts at, its {@link BlastRadius}
 * covers the site, the request is in its cohort (if it names one) and the seeded per-request choice
 * falls within its percentage. The first active fault (in start order) that applies wins. Each
 * injection is recorded: {@code Decisions.faultInjected} (a metric and a span event), the hop's
 * span attributes ({@code chaos.fault.id}, {@code chaos.fault.type}, {@code chaos.experiment}) and
 * a log line with the same keys.
 *
 * <p>Thread-safe.
 */
public final class Chaos implements AutoCloseable {
  private final FaultTable table;

  private Chaos(FaultTable table) {
    this.table = table;
  }

  /** Chaos with {@code config} on the system scheduler, recording nothing. */
  public static Chaos create(ChaosConfig config) {
    return builder().config(config).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public ChaosConfig config() {
    return table.config();
  }

  /**
   * Starts {@code spec}'s fault; it is active until it expires or is cleared.
   *
   * @throws IllegalStateException when chaos is disabled, the maximum number of faults is active,
   *     or another controller has faults active in this process
   * @throws IllegalArgumentException naming the value when the duration exceeds the maximum or an
   *     ambient fault cannot run here
   */
  public ActiveFault start(FaultSpec spec) {
    return table.start(spec);
  }

  /** Starts {@code fault} over {@code radius} for {@code duration} (no experiment, seed 0). */
  public ActiveFault start(Fault fault, BlastRadius radius, Duration duration) {
    return start(FaultSpec.of(fault, radius, duration));
  }

  /** The active faults, in start order, each with its expiry. */
  public List<ActiveFault> active() {
    return table.active();
  }

  /** The active fault {@code id}, if any. */
  public Optional<ActiveFault> get(String id) {
    return table.active().stream().filter(f -> f.id().equals(id)).findFirst();
  }

  /** Ends fault {@code id}; false if no such fault is active. */
  public boolean clear(String id) {
    return table.clear(Objects.requireNonNull(id, "id"), EndReason.CLEARED);
  }

  /** Ends every active fault; returns how many there were. */
  public int clearAll() {
    return table.clearAll();
  }

  /** How many calls fault {@code id} has faulted so far (kept after it ends); 0 if unknown. */
  public long injections(String id) {
    return table.injections(id);
  }

  /**
   * A clock whose wall time is skewed by the active {@link Fault.ClockSkew} faults whose radius
   * covers a {@code clock} point of {@code service} (the sum of their offsets). Monotonic time is
   * never skewed. Give it to the services under test instead of {@code base}.
   */
  public Clock clock(Clock base, String service) {
    return new ChaosClock(base, table, service);
  }

  /**
   * A user injection point named {@code name}: applies a latency, exception or blackhole fault
   * whose radius covers the {@code user} point {@code name} (the route). Does nothing (one field
   * read) when no fault is active.
   *
   * @throws RuntimeException the injected exception; {@link FaultInjectedException} or {@link
   *     io.bulwark.core.error.DeadlineExceededException} at the end of a blackhole; {@link
   *     FaultInjectedException} if interrupted while delayed (the interrupt flag is kept)
   */
  public static void point(String name) {
    FaultInjector injector = FaultPoints.injector();
    if (injector == null) {
      return;
    }
    FaultAction action = injector.decide(new FaultSite(FaultPointKind.USER, "", "", name));
    if (action == null) {
      return;
    }
    try {
      FaultPoints.apply(injector, action);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FaultInjectedException(
          "interrupted in chaos point " + name + " (fault " + action.tag().faultId() + ")",
          action.tag());
    }
  }

  /** Clears every fault and uninstalls this controller. */
  @Override
  public void close() {
    table.clearAll();
  }

  @Override
  public String toString() {
    return "Chaos[" + table.config() + ", active=" + table.active().size() + "]";
  }

  /** Why an active fault ended. */
  public enum EndReason {
    /** {@link #clear} or {@link #clearAll} (or an experiment's rollback). */
    CLEARED,
    /** Its duration passed. */
    EXPIRED
  }

  /**
   * Observes faults starting and ending (an experiment's timeline). Contract: fast, never throws;
   * called on the thread that started or cleared the fault, or the scheduler's for an expiry.
   */
  public interface Listener {
    void started(ActiveFault fault);

    void ended(ActiveFault fault, EndReason reason);
  }

  /** Builds a {@link Chaos}. */
  public static final class Builder {
    private ChaosConfig config = ChaosConfig.disabled();
    private Scheduler scheduler = Scheduler.system();
    private Telemetry telemetry = Telemetry.noop();
    private final List<Listener> listeners = new ArrayList<>();
    private final Map<Class<? extends Fault>, AmbientEffect> ambient =
        new java.util.HashMap<>(AmbientEffects.builtIn());

    private Builder() {}

    /** The settings (default: {@link ChaosConfig#disabled()}). */
    public Builder config(ChaosConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The scheduler that expires faults and paces delays (default: the system scheduler). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Where injections are recorded (default: nothing). */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    public Builder listener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Runs ambient faults of {@code type} with {@code effect} (replacing the built-in one). */
    public Builder ambient(Class<? extends Fault> type, AmbientEffect effect) {
      ambient.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(effect, "effect"));
      return this;
    }

    public Chaos build() {
      return new Chaos(
          new FaultTable(
              config, scheduler, telemetry, List.copyOf(listeners), Map.copyOf(ambient)));
    }
  }

  /** The clock decorator of {@link #clock}. */
  private record ChaosClock(Clock base, FaultTable table, String service) implements Clock {
    @Override
    public long nanoTime() {
      return base.nanoTime();
    }

    @Override
    public long wallMillis() {
      return base.wallMillis() + table.skewMillis(service);
    }
  }

  static @Nullable String blankToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
