package io.bulwark.examples.shop.gameday;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.runtime.InstanceHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link Scenario} against a running system over a run of {@code duration}.
 *
 * <p>Guarantees: step {@code k} is due at {@code fraction_k × duration} after {@link #start()} on
 * the given scheduler's clock; steps run one at a time, in order, on a virtual thread of the game
 * day (a step that is still running delays the next, which then starts late and says so in its
 * {@link StepEvent}); a step that throws is reported with its error and the game day goes on.
 * {@link #close()} cancels the steps not yet due and waits for a running one to end.
 */
public final class GameDay implements AutoCloseable {
  private final Scenario scenario;
  private final Duration duration;
  private final Function<String, InstanceHandle> instances;
  private final Scheduler scheduler;
  private final @Nullable GameDayChaos chaos;
  private final List<GameDayListener> listeners = new CopyOnWriteArrayList<>();
  private final List<StepEvent> done = new CopyOnWriteArrayList<>();
  private final List<ScheduledTask> tasks = new ArrayList<>();
  private final ExecutorService stepThread =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("game-day").factory());
  private long t0;

  public GameDay(
      Scenario scenario,
      Duration duration,
      Function<String, InstanceHandle> instances,
      Scheduler scheduler) {
    this(scenario, duration, instances, scheduler, null);
  }

  /**
   * A game day whose chaos steps act through {@code chaos} (null: none; a chaos step then fails,
   * reported like any failing step).
   */
  public GameDay(
      Scenario scenario,
      Duration duration,
      Function<String, InstanceHandle> instances,
      Scheduler scheduler,
      @Nullable GameDayChaos chaos) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.duration = Objects.requireNonNull(duration, "duration");
    this.instances = Objects.requireNonNull(instances, "instances");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("game day duration must be positive, was " + duration);
    }
    this.chaos = chaos == null ? null : chaos.withRun(duration);
  }

  public void addListener(GameDayListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public Scenario scenario() {
    return scenario;
  }

  /** When {@code step} is due after the start. */
  public Duration dueAt(Step step) {
    return Duration.ofNanos((long) (step.fraction() * duration.toNanos()));
  }

  /** Schedules every step relative to now. Call once. */
  public synchronized void start() {
    if (!tasks.isEmpty() || t0 != 0) {
      throw new IllegalStateException("game day " + scenario.name() + " already started");
    }
    t0 = scheduler.clock().nanoTime();
    for (Step step : scenario.steps()) {
      Duration due = dueAt(step);
      tasks.add(scheduler.schedule(due, () -> stepThread.execute(() -> run(step, due))));
    }
  }

  /** The steps that ran so far, in order. */
  public List<StepEvent> events() {
    return List.copyOf(done);
  }

  private void run(Step step, Duration due) {
    Duration started = sinceStart();
    announce(new StepEvent(step, due, started, Duration.ZERO, null), true);
    String error = null;
    String outcome = null;
    try {
      outcome = step.action().run(instances, chaos);
    } catch (RuntimeException e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    StepEvent event =
        new StepEvent(step, due, started, sinceStart().minus(started), error, outcome);
    done.add(event);
    announce(event, false);
  }

  private Duration sinceStart() {
    return Duration.ofNanos(scheduler.clock().nanoTime() - t0);
  }

  private void announce(StepEvent event, boolean starting) {
    for (GameDayListener listener : listeners) {
      try {
        if (starting) {
          listener.onStepStarting(event);
        } else {
          listener.onStepDone(event);
        }
      } catch (RuntimeException e) {
        // ignored for this event, as the listener contract says
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      tasks.forEach(ScheduledTask::cancel);
    }
    stepThread.shutdown();
    try {
      if (!stepThread.awaitTermination(60, TimeUnit.SECONDS)) {
        stepThread.shutdownNow();
      }
    } catch (InterruptedException e) {
      stepThread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
