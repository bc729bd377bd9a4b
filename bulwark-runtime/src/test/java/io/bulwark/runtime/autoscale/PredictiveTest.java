package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Traces.sec;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Exact decisions of {@link Predictive} over target tracking (70 req/s per instance) with a 10
 * minute season, a 60 s lead, 30 s buckets and a 2 minute level window, on traces sampled every 10
 * s; and the rule that a forecast alone never scales in, checked on random traces.
 */
class PredictiveTest {
  private static final TargetTracking HPA =
      TargetTracking.builder(Metric.REQUEST_RATE, 70).scaleDownStabilisation(Duration.ZERO).build();
  private static final Predictive<NoMemory> PREDICTIVE =
      Predictive.builder(HPA, Metric.REQUEST_RATE, 70)
          .season(Duration.ofMinutes(10))
          .seasons(2)
          .lead(Duration.ofSeconds(60))
          .bucket(Duration.ofSeconds(30))
          .levelWindow(Duration.ofMinutes(2))
          .build();

  /** 140/s on 2 instances, with a burst to 700/s during [300 s, 360 s) of each 600 s season. */
  private static History burstyDays() {
    List<LoadSample> samples = new ArrayList<>();
    for (long t = 0; t < 1200; t += 10) {
      long into = t % 600;
      samples.add(LoadSample.ofLoad(sec(t), 2, into >= 300 && into < 360 ? 700 : 140, 0));
    }
    return History.of(samples);
  }

  @Test
  void withLessThanASeasonRecordedItIsTheReactivePolicyAlone() {
    History h = burstyDays();
    Recommendation<NoMemory> r = PREDICTIVE.decide(h.upTo(sec(710)), sec(710), NoMemory.NONE);
    assertThat(r.instances()).isEqualTo(2);
    assertThat(r.reason()).startsWith("learning (less than one season recorded); reactive: hold");
  }

  @Test
  void itScalesOutAheadOfARecurringBurstFromTheRecordedSeason() {
    History h = burstyDays();
    // horizon (830, 890] a season back is (230, 290]: no burst there
    Recommendation<NoMemory> before = PREDICTIVE.decide(h.upTo(sec(830)), sec(830), NoMemory.NONE);
    assertThat(before.instances()).isEqualTo(2);
    assertThat(before.reason()).startsWith("reactive: hold");
    // horizon (850, 910] a season back is (250, 310]: busiest bucket (280, 310] = 140, 700, 700
    Recommendation<NoMemory> ahead = PREDICTIVE.decide(h.upTo(sec(850)), sec(850), NoMemory.NONE);
    assertThat(ahead.instances()).isEqualTo(8);
    assertThat(ahead.reason()).isEqualTo("out ahead: forecast 513.33 within 60s needs 8");
    assertThat(ahead.inputs())
        .containsEntry("reactive", 2.0)
        .containsEntry("forecast_instances", 8.0);
  }

  @Test
  void aForecastHoldsAScaleInBackButNeverGoesBelowTheReactiveCount() {
    List<LoadSample> samples = new ArrayList<>();
    for (long t = 0; t < 600; t += 10) {
      samples.add(LoadSample.ofLoad(sec(t), 10, 700, 0));
    }
    for (long t = 600; t <= 840; t += 10) {
      samples.add(LoadSample.ofLoad(sec(t), 10, 140, 0));
    }
    // level 140 / 700 = 0.2, bounded to 0.5: forecast 700 x 0.5 = 350 -> 5; reactive wants 2
    Recommendation<NoMemory> r = PREDICTIVE.decide(History.of(samples), sec(840), NoMemory.NONE);
    assertThat(r.instances()).isEqualTo(5);
    assertThat(r.reason()).isEqualTo("in held at 5 by forecast 350.00; reactive wanted 2");
  }

  @Test
  void aForecastAloneNeverScalesInOnRandomTraces() {
    SplittableRandom random = new SplittableRandom(18);
    int scaleIns = 0;
    int ahead = 0;
    for (int trace = 0; trace < 60; trace++) {
      List<LoadSample> samples = new ArrayList<>();
      for (long t = 0; t < 1800; t += 10) {
        samples.add(
            LoadSample.ofLoad(sec(t), random.nextInt(0, 30), random.nextDouble(0, 2000), 0));
      }
      History h = History.of(samples);
      for (LoadSample s : samples) {
        long now = s.atNanos();
        History upTo = h.upTo(now);
        int reactive = HPA.decide(upTo, now, NoMemory.NONE).instances();
        int result = PREDICTIVE.decide(upTo, now, NoMemory.NONE).instances();
        int current = s.instances();
        assertThat(result).as("trace %d at %d", trace, now).isGreaterThanOrEqualTo(reactive);
        if (result < current) {
          assertThat(reactive)
              .as("trace %d at %d: in without the reactive policy", trace, now)
              .isLessThan(current);
          scaleIns++;
        }
        if (result > reactive) {
          ahead++;
        }
      }
    }
    // the property was exercised both ways
    assertThat(scaleIns).isGreaterThan(100);
    assertThat(ahead).isGreaterThan(100);
  }
}
