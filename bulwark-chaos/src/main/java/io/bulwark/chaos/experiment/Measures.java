package io.bulwark.chaos.experiment;

import io.bulwark.chaos.experiment.ExperimentResult.BudgetSpent;
import io.bulwark.chaos.experiment.ExperimentResult.CheckResult;
import io.bulwark.chaos.experiment.ExperimentResult.Sample;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.telemetry.MetricNames;
import io.bulwark.telemetry.slo.EventCounts;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pure side of a run: reads the run's own store (baseline scraped at step 0, one step per tick)
 * and turns it into samples, abort decisions and check results. Windows are counted in whole steps
 * back from now, so a window of all elapsed steps starts exactly at the baseline and traffic from
 * before the run never counts.
 */
final class Measures {
  private final Experiment experiment;
  private final TimeSeriesStore store;
  private final Duration tick;
  private final List<String[]> series; // {kind, target}

  Measures(Experiment experiment, TimeSeriesStore store) {
    this.experiment = experiment;
    this.store = store;
    this.tick = experiment.tick();
    Set<List<String>> s = new LinkedHashSet<>();
    for (Slo slo : experiment.slos()) {
      s.add(List.of(slo.sli().kind(), slo.sli().target()));
    }
    for (HttpProbe p : experiment.probes()) {
      s.add(List.of("dependency", p.name()));
    }
    this.series = s.stream().map(l -> l.toArray(String[]::new)).toList();
  }

  /** The elapsed whole steps (ticks) since the baseline. */
  long steps() {
    return store.currentStep();
  }

  /** One sample per series for the tick that just ended. */
  List<Sample> samples(long atMillis) {
    List<Sample> out = new ArrayList<>();
    for (String[] s : series) {
      Map<String, String> sel = Map.of(s[0], s[1]);
      String requests = MetricNames.requests(s[0]);
      double total = store.sumIncrease(requests, sel, tick);
      double good =
          store.sumIncrease(requests, Map.of(s[0], s[1], "outcome", Outcome.SUCCESS.label()), tick);
      double p99 = store.histogramQuantile(MetricNames.duration(s[0]), sel, 0.99, tick);
      out.add(
          new Sample(
              atMillis,
              s[0] + ":" + s[1],
              total,
              total > 0 ? (total - good) / total : 0,
              Double.isNaN(p99) ? -1 : p99 * 1000));
    }
    return out;
  }

  /**
   * The first SLO whose burn over the abort window (or the elapsed steps, if fewer) is strictly
   * above the threshold with enough events; null if none.
   */
  @org.jspecify.annotations.Nullable
  Burn abortCandidate() {
    AbortRule rule = experiment.abort();
    long k = Math.min(steps(), rule.window().toNanos() / tick.toNanos());
    if (k <= 0) {
      return null;
    }
    Duration w = tick.multipliedBy(k);
    for (Slo slo : experiment.slos()) {
      EventCounts c = slo.sli().counts(store, w);
      if (c.total() >= rule.minEvents() && burnsFaster(slo, c, rule.burnRate())) {
        return new Burn(slo.name(), c.errorRatio() / slo.errorBudget().doubleValue());
      }
    }
    return null;
  }

  /** An SLO burning faster than the abort threshold. */
  record Burn(String slo, double rate) {}

  static boolean burnsFaster(Slo slo, EventCounts c, double threshold) {
    BigDecimal allowed =
        BigDecimal.valueOf(threshold)
            .multiply(slo.errorBudget())
            .multiply(BigDecimal.valueOf(c.total()));
    return BigDecimal.valueOf(c.bad()).compareTo(allowed) > 0;
  }

  /** Every check over the whole run (all elapsed steps); failed if nothing elapsed. */
  List<CheckResult> checks() {
    long k = steps();
    List<CheckResult> out = new ArrayList<>();
    for (Slo slo : experiment.slos()) {
      EventCounts c = k > 0 ? slo.sli().counts(store, tick.multipliedBy(k)) : new EventCounts(0, 0);
      double ratio = c.total() > 0 ? c.good() / c.total() : Double.NaN;
      boolean held =
          c.total() > 0
              && BigDecimal.valueOf(c.bad())
                      .compareTo(slo.errorBudget().multiply(BigDecimal.valueOf(c.total())))
                  <= 0;
      out.add(
          new CheckResult(
              slo.name(),
              "slo",
              slo.sli() + " good ratio >= " + slo.objective(),
              ratio,
              slo.objective(),
              held,
              c.good(),
              c.total()));
    }
    for (MetricCheck m : experiment.checks()) {
      double v = k > 0 ? query(m, tick.multipliedBy(k)) : Double.NaN;
      out.add(
          new CheckResult(
              m.name(),
              "metric",
              m.describe(),
              v,
              m.threshold(),
              m.comparison().holds(v, m.threshold()),
              0,
              0));
    }
    return out;
  }

  private double query(MetricCheck m, Duration w) {
    return switch (m.query()) {
      case INCREASE -> store.sumIncrease(m.metric(), m.labels(), w);
      case HISTOGRAM_QUANTILE -> store.histogramQuantile(m.metric(), m.labels(), m.quantile(), w);
    };
  }

  /**
   * The chaos cohorts of every series over the whole run, read from the {@code bulwark_chaos_*}
   * series: per series the experiment's cohort first, then the control, then any other label.
   */
  List<ExperimentResult.CohortSummary> cohorts() {
    long k = steps();
    List<ExperimentResult.CohortSummary> out = new ArrayList<>();
    if (k <= 0) {
      return out;
    }
    Duration w = tick.multipliedBy(k);
    String label = io.bulwark.core.fault.ChaosCohort.LABEL;
    for (String[] s : series) {
      String requests = chaos(MetricNames.requests(s[0]));
      String duration = chaos(MetricNames.duration(s[0]));
      java.util.TreeSet<String> labels = new java.util.TreeSet<>();
      for (io.bulwark.telemetry.store.SeriesKey key :
          store.seriesOf(requests, Map.of(s[0], s[1]))) {
        String c = key.labels().get(label);
        if (c != null) {
          labels.add(c);
        }
      }
      List<String> ordered = new ArrayList<>();
      for (String first : List.of(experiment.name(), io.bulwark.core.fault.ChaosCohort.CONTROL)) {
        if (labels.remove(first)) {
          ordered.add(first);
        }
      }
      ordered.addAll(labels);
      for (String c : ordered) {
        Map<String, String> sel = Map.of(s[0], s[1], label, c);
        double total = store.sumIncrease(requests, sel, w);
        double good =
            store.sumIncrease(
                requests, Map.of(s[0], s[1], label, c, "outcome", Outcome.SUCCESS.label()), w);
        double p50 = store.histogramQuantile(duration, sel, 0.5, w);
        double p99 = store.histogramQuantile(duration, sel, 0.99, w);
        out.add(
            new ExperimentResult.CohortSummary(
                s[0] + ":" + s[1],
                c,
                total,
                total - good,
                total > 0 ? (total - good) / total : 0,
                Double.isNaN(p50) ? -1 : p50 * 1000,
                Double.isNaN(p99) ? -1 : p99 * 1000));
      }
    }
    return out;
  }

  /** The {@code bulwark_chaos_*} name of a RED metric (as the store scraper writes cohorts). */
  private static String chaos(String metric) {
    return "bulwark_chaos_" + metric.substring("bulwark_".length());
  }

  /** The budget each SLO spent over the whole run. */
  List<BudgetSpent> budgets(Map<String, Double> remainingBefore) {
    long k = steps();
    List<BudgetSpent> out = new ArrayList<>();
    for (Slo slo : experiment.slos()) {
      EventCounts c = k > 0 ? slo.sli().counts(store, tick.multipliedBy(k)) : new EventCounts(0, 0);
      double allowed = slo.errorBudget().doubleValue() * c.total();
      out.add(
          new BudgetSpent(
              slo.name(),
              slo.objective(),
              c.bad(),
              allowed,
              allowed > 0 ? c.bad() / allowed : 0,
              remainingBefore.getOrDefault(slo.name(), Double.NaN)));
    }
    return out;
  }
}
