package io.bulwark.telemetry.slo;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Evaluates SLOs against the embedded store, in tests (virtual clock) and in production with the
 * same math. Each {@link #evaluate()} decides every alert of every SLO — firing when both of its
 * windows burn strictly faster than its threshold and the long window has at least the SLO's
 * minimum events — and reports transitions (fired, resolved) to the listener and as its result.
 *
 * <p>The listener should be fast and must not throw; an exception it throws is swallowed so that
 * the other alerts are still evaluated (the transition is still returned by {@link #evaluate()}).
 *
 * <p>Evaluations must not run concurrently with each other (a scheduler runs them one at a time);
 * {@link #status} may be called from any thread.
 */
public final class SloEvaluator {
  private final TimeSeriesStore store;
  private final List<Slo> slos;
  private final Clock clock;
  private final Consumer<AlertEvent> listener;
  private final Set<String> firing = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public SloEvaluator(
      TimeSeriesStore store, List<Slo> slos, Clock clock, Consumer<AlertEvent> listener) {
    this.store = store;
    this.slos = List.copyOf(slos);
    this.clock = clock;
    this.listener = listener;
    Set<String> names = new HashSet<>();
    for (Slo slo : this.slos) {
      if (!names.add(slo.name())) {
        throw new IllegalArgumentException("duplicate SLO name \"" + slo.name() + "\"");
      }
      if (slo.window().compareTo(store.retention()) > 0) {
        throw new IllegalArgumentException(
            "SLO \""
                + slo.name()
                + "\": window "
                + slo.window()
                + " exceeds the store retention "
                + store.retention());
      }
      for (BurnRateAlert a : slo.alerts()) {
        if (a.longWindow().compareTo(store.retention()) > 0) {
          throw new IllegalArgumentException(
              "SLO \""
                  + slo.name()
                  + "\" alert "
                  + a.id()
                  + ": long window "
                  + a.longWindow()
                  + " exceeds the store retention "
                  + store.retention());
        }
      }
    }
  }

  /** Evaluates now; returns the transitions (also sent to the listener). */
  public List<AlertEvent> evaluate() {
    List<AlertEvent> events = new ArrayList<>();
    for (Slo slo : slos) {
      for (BurnRateAlert alert : slo.alerts()) {
        EventCounts longCounts = slo.sli().counts(store, alert.longWindow());
        EventCounts shortCounts = slo.sli().counts(store, alert.shortWindow());
        boolean fire =
            longCounts.total() >= slo.minimumEvents()
                && slo.burnsFasterThan(longCounts, alert.burnRate())
                && slo.burnsFasterThan(shortCounts, alert.burnRate());
        String key = slo.name() + "/" + alert.id();
        boolean changed = fire ? firing.add(key) : firing.remove(key);
        if (changed) {
          AlertEvent e =
              new AlertEvent(
                  slo.name(),
                  alert,
                  fire,
                  clock.instant(),
                  slo.burnRate(longCounts),
                  slo.burnRate(shortCounts));
          events.add(e);
          notifyListener(e);
        }
      }
    }
    return events;
  }

  private void notifyListener(AlertEvent e) {
    try {
      listener.accept(e);
    } catch (RuntimeException ignored) {
      // Listener contract: fast and never throws; a faulty listener must not stop evaluation.
    }
  }

  /** Evaluates every {@code interval} on {@code scheduler}. */
  public ScheduledTask start(Scheduler scheduler, Duration interval) {
    long n = interval.toNanos();
    if (n <= 0) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    return scheduler.scheduleAtFixedRate(n, n, this::evaluate);
  }

  /** True if the alert {@code alertId} of {@code slo} is firing. */
  public boolean isFiring(String slo, String alertId) {
    return firing.contains(slo + "/" + alertId);
  }

  /** The current status of every SLO. */
  public List<SloStatus> status() {
    List<SloStatus> out = new ArrayList<>();
    for (Slo slo : slos) {
      List<String> ids = new ArrayList<>();
      for (BurnRateAlert a : slo.alerts()) {
        if (isFiring(slo.name(), a.id())) {
          ids.add(a.id());
        }
      }
      out.add(new SloStatus(slo.name(), slo.objective(), slo.errorBudgetRemaining(store), ids));
    }
    return out;
  }
}
