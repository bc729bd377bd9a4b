package io.bulwark.chaos.experiment;

import io.bulwark.chaos.experiment.ExperimentResult.Abort;
import io.bulwark.chaos.experiment.ExperimentResult.Event;
import io.bulwark.chaos.experiment.ExperimentResult.Sample;
import io.bulwark.chaos.experiment.ExperimentResult.Verdict;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.telemetry.store.StoreScraper;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One run of an experiment. Every state change (a tick, a fault stage, a note) is queued, in order,
 * on one mailbox that the runner's executor drains one at a time, so the run's state is touched by
 * one thread at a time without a lock, and the fault control's I/O never runs on the scheduler's
 * thread when the executor is a virtual-thread one.
 */
public final class ExperimentRun {
  private final ExperimentRunner runner;
  private final Experiment experiment;
  private final Clock clock;
  private final long startNanos;
  private final Instant startedAt;
  private final TimeSeriesStore store;
  private final StoreScraper scraper;
  private final Measures measures;
  private final CompletableFuture<ExperimentResult> result = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  // state below: touched only inside the mailbox
  private final List<ScheduledTask> tasks = new ArrayList<>();
  private final Map<String, String> activeByStep = new LinkedHashMap<>();
  private final Map<String, ExperimentResult.FaultWindow> openWindows = new HashMap<>();
  private final List<ExperimentResult.FaultWindow> faultWindows = new ArrayList<>();
  private final Map<String, String> lastState = new HashMap<>();
  private final Map<String, Double> remainingBefore = new HashMap<>();
  private final List<Sample> samples = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private boolean finished;

  ExperimentRun(ExperimentRunner runner) {
    this.runner = runner;
    this.experiment = runner.experiment;
    this.clock = runner.scheduler.clock();
    this.startNanos = clock.nanoTime();
    this.startedAt = clock.instant();
    Duration tick = experiment.tick();
    this.store =
        TimeSeriesStore.builder()
            .clock(clock)
            .resolution(tick)
            // room for late ticks under real time: the whole run stays one window
            .retention(experiment.duration().multipliedBy(2).plusMinutes(1))
            .maxSeries(100_000)
            .build();
    this.scraper = new StoreScraper(runner.telemetry, store);
    this.measures = new Measures(experiment, store);
  }

  /** The experiment's seed (for traffic generators that must be repeatable). */
  public long seed() {
    return experiment.seed();
  }

  public Experiment experiment() {
    return experiment;
  }

  /** Completes when the run ends (held, failed, aborted or refused). */
  public CompletableFuture<ExperimentResult> result() {
    return result;
  }

  public boolean isDone() {
    return result.isDone();
  }

  /** Adds an event on lane {@code note} of the timeline, at the current instant. */
  public void note(String text) {
    submit(() -> event("note", text));
  }

  void begin() {
    submit(this::startOrRefuse);
  }

  private void startOrRefuse() {
    String refusal = checkFloor();
    if (refusal != null) {
      event("refused", refusal);
      finished = true;
      result.complete(
          new ExperimentResult(
              experiment.name(),
              experiment.seed(),
              Verdict.REFUSED,
              refusal,
              startedAt,
              0,
              List.of(),
              List.of(),
              null,
              List.of(),
              List.of(),
              events));
      return;
    }
    scraper.scrapeNow(); // the baseline at step 0
    pollWatches();
    for (Step step : experiment.method()) {
      for (Step.Stage stage : step.stages()) {
        tasks.add(runner.scheduler.schedule(stage.at(), () -> submit(() -> activate(step, stage))));
      }
    }
    for (HttpProbe probe : experiment.probes()) {
      long every = probe.every().toNanos();
      RedRecorder red = runner.telemetry.dependency(probe.name());
      tasks.add(runner.scheduler.scheduleAtFixedRate(0, every, () -> probe(probe, red)));
    }
    long tick = experiment.tick().toNanos();
    tasks.add(runner.scheduler.scheduleAtFixedRate(tick, tick, () -> submit(this::tick)));
  }

  private @Nullable String checkFloor() {
    BudgetSource source = runner.budget;
    double floor = experiment.budgetFloor();
    for (Slo slo : experiment.slos()) {
      if (source == null) {
        if (floor > 0) {
          return "budget-floor is " + floor + " but the run has no budget source to read it from";
        }
        continue;
      }
      double left;
      try {
        left = source.remaining(slo);
      } catch (RuntimeException e) {
        return "cannot read the error budget of SLO " + slo.name() + ": " + e.getMessage();
      }
      remainingBefore.put(slo.name(), left);
      if (left < floor) {
        return "SLO "
            + slo.name()
            + " has "
            + left
            + " of its error budget left, below the budget-floor "
            + floor;
      }
    }
    return null;
  }

  private void activate(Step step, Step.Stage stage) {
    if (finished) {
      return;
    }
    String previous = activeByStep.remove(step.name());
    if (previous != null) {
      runner.faults.deactivate(previous);
      closeWindow(previous);
    }
    try {
      String id =
          runner.faults.activate(
              stage.fault(), stage.duration(), experiment.name(), experiment.seed());
      activeByStep.put(step.name(), id);
      String what = describe(stage.fault());
      openWindows.put(id, new ExperimentResult.FaultWindow(step.name(), what, elapsedMillis(), -1));
      event(
          "fault",
          "step " + step.name() + ": " + what + " for " + stage.duration().toMillis() + "ms");
      long ttl = stage.duration().toNanos();
      tasks.add(runner.scheduler.schedule(ttl, () -> submit(() -> expire(step.name(), id))));
    } catch (RuntimeException e) {
      event("fault", "step " + step.name() + " refused: " + e.getMessage());
      end(
          Verdict.FAILED,
          "step " + step.name() + ": the fault was refused: " + e.getMessage(),
          null);
    }
  }

  private void expire(String step, String id) {
    if (!finished && id.equals(activeByStep.get(step))) {
      activeByStep.remove(step);
      closeWindow(id);
      event("fault", "step " + step + ": expired");
    }
  }

  private void closeWindow(String id) {
    ExperimentResult.FaultWindow open = openWindows.remove(id);
    if (open != null) {
      faultWindows.add(
          new ExperimentResult.FaultWindow(
              open.step(), open.fault(), open.fromMillis(), elapsedMillis()));
    }
  }

  static String describe(StepFault f) {
    StringBuilder b = new StringBuilder(f.type());
    f.params().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    b.append(" at ").append(f.points().isEmpty() ? "all points" : String.join(",", f.points()));
    f.target().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    if (f.cohort() != null) {
      b.append(" cohort=").append(f.cohort());
    }
    return b.append(' ').append(f.percent()).append('%').toString();
  }

  private void probe(HttpProbe probe, RedRecorder red) {
    Thread.ofVirtual()
        .name("chaos-probe-" + probe.name())
        .start(
            () -> {
              long t0 = clock.nanoTime();
              Outcome outcome;
              try {
                int status = runner.probeCaller.call(probe);
                outcome = status == probe.expectStatus() ? Outcome.SUCCESS : Outcome.ERROR;
              } catch (java.net.http.HttpTimeoutException e) {
                outcome = Outcome.TIMEOUT;
              } catch (java.io.IOException | RuntimeException e) {
                outcome = Outcome.ERROR;
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              red.record(outcome, clock.nanoTime() - t0);
            });
  }

  private void tick() {
    if (finished) {
      return;
    }
    scraper.scrapeNow();
    long at = elapsedMillis();
    samples.addAll(measures.samples(at));
    pollWatches();
    Measures.Burn burn = measures.abortCandidate();
    if (burn != null) {
      AbortRule rule = experiment.abort();
      Abort abort = new Abort(at, burn.slo(), burn.rate(), rule.burnRate());
      event(
          "abort",
          "SLO "
              + burn.slo()
              + " burned "
              + burn.rate()
              + "x (threshold "
              + rule.burnRate()
              + "x)");
      end(Verdict.ABORTED, "aborted: SLO " + burn.slo() + " burned " + burn.rate() + "x", abort);
      return;
    }
    if (measures.steps() * experiment.tick().toNanos() >= experiment.duration().toNanos()) {
      end(null, "", null);
    }
  }

  private void pollWatches() {
    for (Map.Entry<String, java.util.function.Supplier<String>> w : runner.watches.entrySet()) {
      String state;
      try {
        state = String.valueOf(w.getValue().get());
      } catch (RuntimeException e) {
        state = "unreadable: " + e;
      }
      if (!state.equals(lastState.put(w.getKey(), state))) {
        event("state:" + w.getKey(), state);
      }
    }
  }

  private void end(@Nullable Verdict forced, String forcedReason, @Nullable Abort abort) {
    finished = true;
    tasks.forEach(ScheduledTask::cancel);
    for (Map.Entry<String, String> active : activeByStep.entrySet()) {
      try {
        runner.faults.deactivate(active.getValue());
        closeWindow(active.getValue());
        event("fault", "step " + active.getKey() + ": cleared");
      } catch (RuntimeException e) {
        event("fault", "step " + active.getKey() + ": clearing failed: " + e.getMessage());
      }
    }
    activeByStep.clear();
    List.copyOf(openWindows.keySet()).forEach(this::closeWindow);
    runRollbacks();
    List<ExperimentResult.CheckResult> checks = measures.checks();
    Verdict verdict = forced;
    String reason = forcedReason;
    if (verdict == null) {
      ExperimentResult.CheckResult failed =
          checks.stream().filter(c -> !c.passed()).findFirst().orElse(null);
      verdict = failed == null ? Verdict.HELD : Verdict.FAILED;
      reason =
          failed == null
              ? "hypothesis held"
              : failed.name()
                  + " did not hold: "
                  + failed.description()
                  + ", measured "
                  + failed.measured();
    }
    result.complete(
        new ExperimentResult(
            experiment.name(),
            experiment.seed(),
            verdict,
            reason,
            startedAt,
            elapsedMillis(),
            checks,
            measures.budgets(remainingBefore),
            abort,
            samples,
            faultWindows,
            events,
            measures.cohorts()));
  }

  private void runRollbacks() {
    for (Rollback r : experiment.rollbacks()) {
      try {
        if (r.action() != null) {
          r.action().run();
        } else {
          int status =
              HttpCalls.send(Objects.requireNonNull(r.method()), Objects.requireNonNull(r.url()));
          if (status >= 400) {
            throw new IllegalStateException("HTTP " + status);
          }
        }
        event("rollback", r.name() + ": done");
      } catch (RuntimeException e) {
        event("rollback", r.name() + ": failed: " + e.getMessage());
      }
    }
  }

  private void event(String lane, String text) {
    events.add(new Event(elapsedMillis(), lane, text));
  }

  private long elapsedMillis() {
    return Duration.ofNanos(clock.nanoTime() - startNanos).toMillis();
  }

  private void submit(Runnable work) {
    mailbox.add(work); // on the scheduler's thread: the order of the run's events is kept
    if (pending.getAndIncrement() == 0) {
      runner.executor.execute(this::drain);
    }
  }

  private void drain() {
    do {
      Runnable next = Objects.requireNonNull(mailbox.poll());
      try {
        next.run();
      } catch (RuntimeException e) {
        if (!finished) {
          finished = true;
          tasks.forEach(ScheduledTask::cancel);
        }
        result.completeExceptionally(e);
      }
    } while (pending.decrementAndGet() != 0);
  }
}
