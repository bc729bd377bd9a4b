package io.bulwark.chaos.experiment;

import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import java.time.Duration;

/** A real run (virtual time) to render, for the report tests in another package. */
public final class ReportFixture {
  private ReportFixture() {}

  /** An aborted run whose fault parameters carry hostile text. */
  public static ExperimentResult abortedRun() {
    try (SimulatedShop shop = new SimulatedShop()) {
      String[] state = {"CLOSED"};
      shop.scheduler.schedule(Duration.ofMillis(5_100), () -> state[0] = "OPEN");
      Experiment e =
          Experiment.builder("report-demo")
              .duration(Duration.ofSeconds(10))
              .slo(Slo.builder("checkout").sli(Sli.endpointAvailability("checkout")).build())
              .step(
                  "errors",
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(4),
                  StepFault.of("http-error", "http-server")
                      .withParam("status", "503")
                      .withParam("body", "<script>alert('x')</script>"))
              .build();
      return shop.run(shop.runner(e).watch("payments-breaker", () -> state[0]));
    }
  }
}
