package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.gameday.GameDayListener;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.examples.shop.load.LoadInterval;
import io.bulwark.examples.shop.load.LoadReport;
import io.bulwark.runtime.BreakerView;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeEvent;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.ServiceStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's terminal view. Startup progress (each instance as it becomes ready, its port and the
 * time it took) and lifecycle events print as plain lines. While the load runs, {@link #tick} shows
 * one frame per second: redrawn in place with ANSI escapes when {@code ansi}, else one plain line
 * per interval (and each game-day step as a line of its own when it starts and ends).
 *
 * <p>Thread safety: listener callbacks may come from any thread; {@link #tick} is called by one
 * thread (the load's sampler). Output lines are printed whole.
 */
public final class LiveView implements RuntimeListener, GameDayListener {
  private static final String CLEAR = "\u001b[H\u001b[2J";

  private final PrintStream out;
  private final boolean ansi;
  private final String title;
  private final Duration duration;
  private final List<String> timeline = new CopyOnWriteArrayList<>();
  private volatile boolean running;
  private volatile long startNanos;

  /**
   * @param out where to print
   * @param ansi redraw a full frame each second (a terminal) instead of one line per interval
   * @param title the run's title (scenario, resilience, seed)
   * @param duration the run's duration, for the progress
   */
  public LiveView(PrintStream out, boolean ansi, String title, Duration duration) {
    this.out = out;
    this.ansi = ansi;
    this.title = title;
    this.duration = duration;
  }

  /** The load started: from now on ticks draw frames. */
  public void loadStarted() {
    startNanos = System.nanoTime();
    running = true;
  }

  @Override
  public void onReady(InstanceHandle instance, int port, Duration took) {
    if (running) {
      event(
          String.format(
              Locale.ROOT, "ready %s on port %d in %d ms", instance.id(), port, took.toMillis()));
      return;
    }
    out.printf(
        Locale.ROOT, "  ready  %-18s port %-5d in %5d ms%n", instance.id(), port, took.toMillis());
  }

  @Override
  public void onKilled(InstanceHandle instance) {
    event("killed " + instance.id());
  }

  @Override
  public void onDeployed(InstanceHandle instance, String from, String to) {
    event("deployed " + instance.id() + " " + from + " -> " + to);
  }

  @Override
  public void onFailed(InstanceHandle instance, Throwable cause) {
    event("FAILED " + instance.id() + ": " + cause.getMessage());
  }

  /** What the runtime decides itself: a rollout's judgements and rollback, scaling, partitions. */
  @Override
  public void onEvent(RuntimeEvent event) {
    switch (event.kind()) {
      case ROLLOUT_STEP, ROLLOUT_COMPLETED, ROLLED_BACK, SCALED, PARTITIONED, HEALED ->
          event(
              event.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                  + " "
                  + (event.instance() != null ? event.instance() : event.service())
                  + ": "
                  + event.detail());
      default -> {
        // instances starting, ready, killed, deployed: their own callbacks above
      }
    }
  }

  @Override
  public void onStepStarting(StepEvent event) {
    event("game day: " + event.step().title());
  }

  @Override
  public void onStepDone(StepEvent event) {
    String error = event.error();
    event(
        "game day: "
            + event.step().title()
            + (error == null ? " done" : " FAILED: " + error)
            + (event.outcome() == null ? "" : ": " + event.outcome())
            + " (took "
            + event.took().toMillis()
            + " ms)");
  }

  private void event(String text) {
    if (!running) {
      out.println("  " + text);
      return;
    }
    long seconds = (System.nanoTime() - startNanos) / 1_000_000_000L;
    String stamped = String.format(Locale.ROOT, "[%4ds] %s", seconds, text);
    timeline.add(stamped);
    if (!ansi) {
      out.println(stamped);
    }
  }

  /** Draws one interval: the users' second, services, breakers, SLO budgets, the timeline. */
  public void tick(
      LoadInterval interval,
      LoadReport soFar,
      List<ServiceStats> services,
      List<BreakerView> breakers) {
    List<SloVerdict> slos = UserSlos.judge(soFar);
    if (ansi) {
      out.print(CLEAR + frame(interval, soFar, services, breakers, slos));
      out.flush();
    } else {
      out.println(line(interval, soFar, breakers, slos));
    }
  }

  /** The one-line form of an interval. */
  static String line(
      LoadInterval interval, LoadReport soFar, List<BreakerView> breakers, List<SloVerdict> slos) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "[%4ds] users %5d req/s err %5.1f%% p99 %5s",
            interval.second() + 1,
            interval.requests(),
            100 * interval.errorRate(),
            millis(interval.p99Micros())));
    b.append(
        String.format(
            Locale.ROOT,
            " | checkouts ok %d failed %d | popular pages %d",
            soFar.checkouts("completed"),
            soFar.checkouts("failed"),
            interval.degradedPages()));
    b.append(" | budget left");
    for (SloVerdict v : slos) {
      b.append(String.format(Locale.ROOT, " %s %.0f%%", v.name(), 100 * v.budgetRemaining()));
    }
    long open = breakers.stream().filter(v -> v.state().name().equals("OPEN")).count();
    b.append(" | open breakers ").append(open);
    return b.toString();
  }

  String frame(
      LoadInterval interval,
      LoadReport soFar,
      List<ServiceStats> services,
      List<BreakerView> breakers,
      List<SloVerdict> slos) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "bulwark demo  %s  %ds / %ds",
            title,
            interval.second() + 1,
            duration.toSeconds()));
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "users      %5d req/s  errors %5.1f%%  p50 %6s  p99 %6s  checkouts ok %d / failed %d"
                + " / rejected %d  popular pages %d",
            interval.requests(),
            100 * interval.errorRate(),
            millis(interval.p50Micros()),
            millis(interval.p99Micros()),
            soFar.checkouts("completed"),
            soFar.checkouts("failed"),
            soFar.checkouts("rejected"),
            interval.degradedPages()));
    lines.add("");
    lines.add(String.format(Locale.ROOT, "%-16s %8s %8s %8s", "service", "req/s", "errors", "p99"));
    for (ServiceStats s : services) {
      lines.add(
          String.format(
              Locale.ROOT,
              "%-16s %8.1f %7.1f%% %8s",
              s.service(),
              s.requestsPerSecond(),
              100 * s.errorRate(),
              millis(s.p99Nanos() / 1000)));
    }
    lines.add("");
    lines.add("circuit breakers (state, last transition's reason)");
    if (breakers.isEmpty()) {
      lines.add("  none reported yet");
    }
    for (BreakerView v : breakers) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  %-12s %-40s %-9s %s",
              v.instanceId(),
              v.breaker(),
              v.state(),
              v.reason()));
    }
    lines.add("");
    lines.add("SLOs (error budget left over the run so far)");
    for (SloVerdict v : slos) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  %-22s >= %5.1f%%   now %6.2f%%   budget left %4.0f%%",
              v.name(),
              100 * v.objective(),
              100 * v.ratio(),
              100 * v.budgetRemaining()));
    }
    lines.add("");
    lines.add("game day");
    int from = Math.max(0, timeline.size() - 8);
    for (String t : timeline.subList(from, timeline.size())) {
      lines.add("  " + t);
    }
    return String.join("\n", lines) + "\n";
  }

  static String millis(long micros) {
    if (micros < 10_000) {
      return String.format(Locale.ROOT, "%.1fms", micros / 1000.0);
    }
    return (micros / 1000) + "ms";
  }
}
