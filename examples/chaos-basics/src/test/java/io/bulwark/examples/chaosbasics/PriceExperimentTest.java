package io.bulwark.examples.chaosbasics;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.experiment.ChaosFaultControl;
import io.bulwark.chaos.experiment.Experiment;
import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.experiment.ExperimentRunner;
import io.bulwark.chaos.experiment.FaultControl;
import io.bulwark.chaos.experiment.StepFault;
import io.bulwark.chaos.junit.ChaosExperiment;
import io.bulwark.chaos.junit.ChaosLab;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.test.VirtualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The same experiment ({@link PriceExperiment}: 30 % of the price service's answers fail with a
 * 503) run twice against real services on loopback, resilience on and off. The verdicts and the
 * figures asserted here are what the runner measured from the services' telemetry: the front's good
 * and total quotes, and the chaos injections counted by {@code bulwark_decisions_total}.
 *
 * <p>The experiment runs in virtual time (the runner's ticks, the fault's start and expiry, the
 * telemetry clock); the load is driven from the test thread, 4 quotes per 20 ms of virtual time,
 * each with its own correlation id {@code quote-N}. The fault's choice is a pure function of the
 * seed, the correlation id and the attempt number (decided anew per attempt, the default), so both
 * runs fault the same first attempts, and a retry of a faulted call may pass as it would past a
 * real transient failure. The HTTP calls and the pipeline's retry backoff and breaker wait run in
 * real time (a blocking call cannot wait for virtual time that only this thread advances).
 */
class PriceExperimentTest {
  static final long SEED = 17;
  static final Duration SLICE = Duration.ofMillis(20);
  static final int QUOTES_PER_SLICE = 4;

  /** The quotes sent within the experiment's duration (the driver sends one tick more). */
  static final double QUOTES_IN_RUN =
      PriceExperiment.DURATION.toMillis() / SLICE.toMillis() * QUOTES_PER_SLICE;

  final HttpClient http = HttpClient.newHttpClient();

  /** One run: fresh telemetry, chaos and services; returns the result and what the driver saw. */
  Run run(ChaosLab lab, boolean resilience) {
    VirtualScheduler virtual = new VirtualScheduler();
    long startNanos = System.nanoTime();
    try (BulwarkTelemetry telemetry =
            BulwarkTelemetry.builder().clock(virtual.virtualClock()).build();
        Chaos chaos =
            Chaos.builder()
                .config(ChaosConfig.enabledDefaults())
                .scheduler(virtual)
                .telemetry(telemetry)
                .build();
        PriceServices services = PriceServices.start(telemetry, resilience)) {
      Experiment experiment = PriceExperiment.build(SEED);
      CountingFaults faults = new CountingFaults(chaos);
      Driver driver = new Driver(virtual, services);
      ExperimentResult result =
          lab.run(
              experiment,
              ExperimentRunner.builder()
                  .scheduler(virtual)
                  .faults(faults)
                  .watch("price-breaker", services::breakerState)
                  .telemetry(telemetry),
              driver::advance);
      String scrape = telemetry.scrapePrometheus();
      return new Run(
          result,
          faults.injections(),
          driver.sent,
          driver.failed,
          services.failedCallsByCause(),
          decisions(scrape, "retry"),
          decisions(scrape, PriceServices.RETRY_SERVED),
          (System.nanoTime() - startNanos) / 1e9);
    }
  }

  /**
   * One run's figures: the result (measured from telemetry by the runner), the injections chaos
   * counted for the run's faults, what the driver saw, the front's failed calls to the price
   * service by cause (answered with the fallback price when resilience is on), the retries the
   * price pipeline made and the resent attempts the price service answered (both counted by {@code
   * bulwark_decisions_total} in the services' telemetry), and the run's real duration (the retry
   * budget earns per real second).
   */
  record Run(
      ExperimentResult result,
      long injections,
      long sent,
      long failedAtClient,
      Map<String, Long> failedCalls,
      long retries,
      long retriesServed,
      double realSeconds) {
    ExperimentResult.CheckResult slo() {
      return result.check(PriceExperiment.QUOTE_SLO);
    }

    double priceErrors() {
      return result.check(PriceExperiment.PRICE_ERRORS).measured();
    }

    long failedCallTotal() {
      return failedCalls.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * The sum of {@code bulwark_decisions_total} over the series with decision {@code decision}, from
   * a Prometheus text scrape.
   */
  static long decisions(String scrape, String decision) {
    double sum = 0;
    for (String line : scrape.lines().toList()) {
      if (line.startsWith("bulwark_decisions_total{")
          && line.contains("decision=\"" + decision + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  /** The in-process fault control, remembering the ids of the faults it started. */
  static final class CountingFaults implements FaultControl {
    final Chaos chaos;
    final ChaosFaultControl control;
    final List<String> ids = new ArrayList<>();

    CountingFaults(Chaos chaos) {
      this.chaos = chaos;
      this.control = new ChaosFaultControl(chaos);
    }

    @Override
    public String activate(StepFault fault, Duration ttl, String experiment, long seed) {
      String id = control.activate(fault, ttl, experiment, seed);
      ids.add(id);
      return id;
    }

    @Override
    public void deactivate(String id) {
      control.deactivate(id);
    }

    /** The calls chaos faulted under the started faults (kept after they end). */
    long injections() {
      return ids.stream().mapToLong(chaos::injections).sum();
    }
  }

  /** Sends quotes from this thread and advances virtual time slice by slice. */
  final class Driver {
    final VirtualScheduler virtual;
    final PriceServices services;
    final int port;
    long sent;
    long failed;

    Driver(VirtualScheduler virtual, PriceServices services) {
      this.virtual = virtual;
      this.services = services;
      this.port = services.frontPort();
    }

    /**
     * Waits until both servers have finished (and so recorded) every request answered so far, so
     * the runner's next scrape counts them: the marker is the servers' in-flight count reaching 0.
     */
    void awaitRecorded() {
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (services.inFlight() > 0) {
        if (System.nanoTime() > giveUp) {
          throw new AssertionError(services.inFlight() + " requests still in flight after 10 s");
        }
        Thread.onSpinWait();
      }
    }

    void advance(Duration d) {
      for (Duration left = d; left.isPositive(); left = left.minus(SLICE)) {
        for (int i = 0; i < QUOTES_PER_SLICE; i++) {
          if (quote("quote-" + sent++) != 200) {
            failed++;
          }
        }
        awaitRecorded();
        virtual.advance(SLICE.compareTo(left) < 0 ? SLICE : left);
      }
    }

    int quote(String id) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/quote/sku-" + id))
              .header("bulwark-correlation-id", id)
              .timeout(Duration.ofSeconds(10))
              .build();
      try {
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (IOException e) {
        throw new UncheckedIOException("quote " + id, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted sending quote " + id, e);
      }
    }
  }

  @ChaosExperiment(seed = SEED)
  void resilienceKeepsTheSloUnderThirtyPercentErrorsAndItsAbsenceFailsIt(ChaosLab lab) {
    Run on = run(lab, true);
    Run off = run(lab, false);
    System.out.printf(
        "resilience on:  %s %s injections=%d sent=%d failed=%d failed calls (fallback)=%s"
            + " retries=%d served=%d in %.1f s%n"
            + "resilience off: %s %s injections=%d sent=%d failed=%d failed calls=%s%n",
        on.result().verdict(),
        on.slo(),
        on.injections(),
        on.sent(),
        on.failedAtClient(),
        on.failedCalls(),
        on.retries(),
        on.retriesServed(),
        on.realSeconds(),
        off.result().verdict(),
        off.slo(),
        off.injections(),
        off.sent(),
        off.failedAtClient(),
        off.failedCalls());

    // the fault was really injected in both runs, and the price service's telemetry saw it
    assertThat(on.injections()).isPositive();
    assertThat(off.injections()).isPositive();
    assertThat(on.priceErrors()).isPositive();
    assertThat(off.priceErrors()).isEqualTo((double) off.injections());

    // resilience on: the hypothesis held, measured over every quote sent within the run
    lab.assertHeld(on.result());
    assertThat(on.slo().total()).isEqualTo(QUOTES_IN_RUN);
    assertThat(on.slo().measured()).isGreaterThanOrEqualTo(PriceExperiment.OBJECTIVE);
    assertThat(on.slo().passed()).isTrue();
    assertThat(on.failedAtClient()).isLessThanOrEqualTo(on.sent() / 100);
    // the front degraded instead of failing: failed calls first, then the open breaker's refusals
    assertThat(on.failedCalls()).containsKeys("HttpCallException", "PolicyRejectedException");
    assertThat(on.failedCalls().get("PolicyRejectedException"))
        .isGreaterThan(on.failedCalls().get("HttpCallException"));
    // the open breaker spared the price service most of the faulted calls
    assertThat(on.injections()).isLessThan(off.injections());
    // retries played their part: faulted attempts were retried, and resent attempts were answered
    // with the real price (the fault is decided per attempt) ...
    assertThat(on.retries()).isPositive();
    assertThat(on.retriesServed()).isPositive().isLessThanOrEqualTo(on.retries());
    // ... within the retry budget (RetryBudget: retries <= ratio x calls + per-second x elapsed)
    assertThat((double) on.retries()).isLessThanOrEqualTo(0.2 * on.sent() + 5 * on.realSeconds());
    assertThat(off.retries()).isZero();
    assertThat(off.retriesServed()).isZero();

    // the runner watched the breaker: closed before the fault, opened after it started
    assertThat(on.result().events())
        .filteredOn(e -> e.lane().equals("state:price-breaker"))
        .first()
        .satisfies(e -> assertThat(e.text()).isEqualTo("CLOSED"));
    assertThat(on.result().events())
        .anySatisfy(
            e -> {
              assertThat(e.lane()).isEqualTo("state:price-breaker");
              assertThat(e.text()).isEqualTo("OPEN");
              assertThat(e.atMillis()).isGreaterThan(PriceExperiment.FAULT_AT.toMillis());
            });
    // resilience off: the same experiment fails the SLO; every injected 503 became a failed quote
    lab.assertFailed(off.result());
    assertThat(off.result().abort()).isNull();
    assertThat(off.slo().passed()).isFalse();
    assertThat(off.slo().measured()).isLessThan(PriceExperiment.OBJECTIVE);
    assertThat(off.slo().total()).isEqualTo(QUOTES_IN_RUN);
    double offBad = off.slo().total() - off.slo().good();
    assertThat(offBad).isEqualTo((double) off.injections());
    assertThat(off.failedAtClient()).isEqualTo(off.injections());
    assertThat(off.failedCalls()).containsOnlyKeys("HttpCallException");
    assertThat(off.failedCallTotal()).isEqualTo(off.injections());
    // 30 % of the requests during the 5 s of 6 s under fault: about a quarter of all quotes
    assertThat(offBad / off.slo().total()).isBetween(0.20, 0.30);
  }
}
