package io.bulwark.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.core.config.ConfigException;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Steps become real chaos faults in-process; the chaos parser's errors reach YAML files. */
class ChaosFaultControlTest {
  final VirtualScheduler scheduler = new VirtualScheduler();

  @Test
  void aStepFaultBecomesAnActiveChaosFaultThatExpiresAndClears() {
    try (Chaos chaos =
        Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build()) {
      ChaosFaultControl control = new ChaosFaultControl(chaos);
      String id =
          control.activate(
              StepFault.of("http-error", "http-server")
                  .withParam("status", "503")
                  .withTarget("service", "payments")
                  .withPercent(30),
              Duration.ofSeconds(5),
              "exp-1",
              42);
      ActiveFault f = chaos.active().get(0);
      assertThat(f.id()).isEqualTo(id);
      assertThat(f.spec().fault()).isEqualTo(new Fault.HttpError(503));
      assertThat(f.spec().radius().service()).isEqualTo("payments");
      assertThat(f.spec().radius().percent()).isEqualTo(30);
      assertThat(f.spec().experiment()).isEqualTo("exp-1");
      assertThat(f.spec().seed()).isEqualTo(42);
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(chaos.active()).isEmpty();
      String second =
          control.activate(
              StepFault.of("latency", "http-client").withParam("delay", "200ms"),
              Duration.ofMinutes(1),
              "exp-1",
              1);
      control.deactivate(second);
      assertThat(chaos.active()).isEmpty();
    }
  }

  @Test
  void aBadParameterIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                ChaosFaultControl.toSpec(
                    StepFault.of("http-error", "http-server").withParam("status", "abc"),
                    Duration.ofSeconds(1),
                    "x",
                    0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fault.status");
  }

  @Test
  void aYamlFileWithABadFaultFailsAtLoadWithItsLine() {
    assertThatThrownBy(
            () ->
                ExperimentYaml.parse(
                    """
                    name: bad-fault
                    duration: 10s
                    steady-state:
                      slos:
                        api: {availability: endpoint, target: api}
                    method:
                      errors:
                        duration: 5s
                        fault: {type: http-eror, status: 503}
                    """,
                    "f.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "f.yaml:8: method.errors: fault.type: unknown fault type \"http-eror\"");
  }
}
