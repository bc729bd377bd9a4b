package io.bulwark.chaos.experiment;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a run measured and decided. Under virtual time and a fixed seed every field is a function of
 * the experiment and the system under test, so two runs can be compared field by field ({@link
 * #equals} is value equality over every field).
 *
 * @param experiment the experiment's name
 * @param seed the seed of the run
 * @param verdict the outcome
 * @param reason why: the first failed check, the abort, the refusal; "hypothesis held" otherwise
 * @param startedAt when the run started (the run's clock)
 * @param elapsedMillis how long it ran
 * @param checks every check of the hypothesis (SLOs first, then metric checks), empty if refused
 * @param budgets the error budget each SLO spent during the run
 * @param abort the abort, or null
 * @param samples the per-tick measurements of every series the hypothesis reads
 * @param faults when each fault activation of the method was active
 * @param events faults, state changes, abort, rollbacks and notes, in time order
 * @param cohorts the chaos cohorts side by side (the experiment's cohort, the control, any other),
 *     per series the hypothesis reads, measured over the whole run from the {@code bulwark_chaos_*}
 *     series; empty when no request was recorded in a cohort
 */
public record ExperimentResult(
    String experiment,
    long seed,
    Verdict verdict,
    String reason,
    Instant startedAt,
    long elapsedMillis,
    List<CheckResult> checks,
    List<BudgetSpent> budgets,
    @Nullable Abort abort,
    List<Sample> samples,
    List<FaultWindow> faults,
    List<Event> events,
    List<CohortSummary> cohorts) {

  @SuppressWarnings("NullAway") // a result written before cohorts existed reads back without them
  public ExperimentResult {
    cohorts = cohorts == null ? List.of() : List.copyOf(cohorts);
    checks = List.copyOf(checks);
    budgets = List.copyOf(budgets);
    samples = List.copyOf(samples);
    faults = List.copyOf(faults);
    events = List.copyOf(events);
  }

  /** A result without cohort figures (a run in which no request was recorded in a cohort). */
  public ExperimentResult(
      String experiment,
      long seed,
      Verdict verdict,
      String reason,
      Instant startedAt,
      long elapsedMillis,
      List<CheckResult> checks,
      List<BudgetSpent> budgets,
      @Nullable Abort abort,
      List<Sample> samples,
      List<FaultWindow> faults,
      List<Event> events) {
    this(
        experiment,
        seed,
        verdict,
        reason,
        startedAt,
        elapsedMillis,
        checks,
        budgets,
        abort,
        samples,
        faults,
        events,
        List.of());
  }

  /** The cohort figures of {@code series} (e.g. {@code endpoint:checkout}), in report order. */
  public List<CohortSummary> cohorts(String series) {
    return cohorts.stream().filter(c -> c.series().equals(series)).toList();
  }

  /** True only when the steady-state hypothesis held for the whole run. */
  public boolean held() {
    return verdict == Verdict.HELD;
  }

  /** The result of the check named {@code name}. */
  public CheckResult check(String name) {
    for (CheckResult c : checks) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "no check named \"" + name + "\" in " + checks.stream().map(CheckResult::name).toList());
  }

  /** The outcome of a run. */
  public enum Verdict {
    /** Every check held over the whole run. */
    HELD,
    /** The run completed and at least one check did not hold (or a fault was refused). */
    FAILED,
    /** The run's own error-budget burn crossed the abort threshold; faults were cleared. */
    ABORTED,
    /** The run did not start: an SLO had less error budget left than the floor. */
    REFUSED
  }

  /**
   * One check of the hypothesis.
   *
   * @param name the SLO or check name
   * @param kind {@code slo} or {@code metric}
   * @param description what was checked, readable
   * @param measured the measured value (SLO: the good ratio; metric: the query's value; NaN if
   *     none)
   * @param threshold the bound it was compared with (SLO: the objective)
   * @param passed whether it held
   * @param good good events (SLOs; 0 for metric checks)
   * @param total all events (SLOs; 0 for metric checks)
   */
  public record CheckResult(
      String name,
      String kind,
      String description,
      double measured,
      double threshold,
      boolean passed,
      double good,
      double total) {}

  /**
   * The error budget an SLO spent during the run: the run's bad events against the bad events its
   * objective allows for the run's traffic ({@code (1 - objective) * total}).
   *
   * @param slo the SLO
   * @param objective its objective
   * @param badEvents bad events during the run
   * @param allowedBadEvents {@code (1 - objective) * total events during the run}
   * @param spent {@code badEvents / allowedBadEvents} (the run's burn rate; above 1 is overspent; 0
   *     without traffic)
   * @param remainingBefore the fraction of the SLO-window budget left when the run started, or NaN
   *     when no budget source was given
   */
  public record BudgetSpent(
      String slo,
      double objective,
      double badEvents,
      double allowedBadEvents,
      double spent,
      double remainingBefore) {}

  /**
   * The automatic abort.
   *
   * @param atMillis when, as an offset from the start of the run
   * @param slo the SLO whose burn crossed the threshold
   * @param burnRate the burn rate over the abort window at that tick
   * @param threshold the configured threshold
   */
  public record Abort(long atMillis, String slo, double burnRate, double threshold) {}

  /**
   * The measurements of one series over one tick.
   *
   * @param atMillis the end of the tick, as an offset from the start of the run
   * @param series {@code endpoint:NAME} or {@code dependency:NAME}
   * @param requests requests finished during the tick
   * @param errorRatio bad / all during the tick (0 without requests)
   * @param p99Millis the 99th percentile latency during the tick, or -1 without requests
   */
  public record Sample(
      long atMillis, String series, double requests, double errorRatio, double p99Millis) {}

  /**
   * One fault activation and how long it was active.
   *
   * @param step the step
   * @param fault the fault, readable (type, point, target, share)
   * @param fromMillis activation, as an offset from the start of the run
   * @param toMillis expiry, replacement by the next ramp stage, or clearing at the end
   */
  public record FaultWindow(String step, String fault, long fromMillis, long toMillis) {}

  /**
   * Something that happened during the run.
   *
   * @param atMillis when, as an offset from the start of the run
   * @param lane {@code fault}, {@code state:NAME}, {@code abort}, {@code rollback} or {@code note}
   * @param text what happened
   */
  public record Event(long atMillis, String lane, String text) {}

  /**
   * One chaos cohort's figures for one series over the whole run, so that the cohort and the
   * control can be read side by side.
   *
   * @param series {@code endpoint:NAME} or {@code dependency:NAME}
   * @param cohort the cohort label: the experiment's name (its cohort, and every call its faults
   *     acted on), {@code control} (requests outside every cohort), {@code other} (another name)
   * @param requests requests finished during the run
   * @param errors those that did not succeed
   * @param errorRatio {@code errors / requests} (0 without requests)
   * @param p50Millis the median latency, or -1 without requests
   * @param p99Millis the 99th percentile latency, or -1 without requests
   */
  public record CohortSummary(
      String series,
      String cohort,
      double requests,
      double errors,
      double errorRatio,
      double p50Millis,
      double p99Millis) {}
}
