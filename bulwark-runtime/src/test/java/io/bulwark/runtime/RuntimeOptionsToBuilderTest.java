package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.kit.ConfigCopies;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code RuntimeOptions.toBuilder()} copies every field, also fields added later: the sample
 * differs from the defaults in every field (checked by reflection), so a dropped field comes back
 * as its default and the comparison fails.
 */
class RuntimeOptionsToBuilderTest {
  private static final ConfigCopies COPIES = ConfigCopies.using(MethodHandles.lookup());

  @org.junit.jupiter.api.io.TempDir Path dir;

  @Test
  void toBuilderCopiesEveryFieldAndASetterChangesOnlyItsOwn() {
    VirtualScheduler scheduler = new VirtualScheduler();
    io.bulwark.events.EventLog log =
        io.bulwark.events.EventLogs.embedded(
            io.bulwark.events.EmbeddedLogConfig.builder(dir).build());
    RuntimeOptions sample =
        RuntimeOptions.builder(Path.of("target/a"))
            .host("0.0.0.0")
            .basePort(4100)
            .leaseTtl(Duration.ofSeconds(7))
            .readinessTimeout(Duration.ofSeconds(8))
            .drainBudget(Duration.ofSeconds(9))
            .seed(42)
            .systemPort(4099)
            .metricsStep(Duration.ofMillis(250))
            .restartBackoff(Duration.ofMillis(300))
            .maxRestartBackoff(Duration.ofSeconds(20))
            .scheduler(scheduler)
            .clock(scheduler.clock())
            .eventLog(log)
            .childAotCache(Path.of("target/aot"))
            .slos(
                List.of(
                    io.bulwark.telemetry.slo.Slo.builder("availability")
                        .sli(io.bulwark.telemetry.slo.Sli.endpointAvailability("all"))
                        .build()))
            .build();
    RuntimeOptions defaults = RuntimeOptions.builder(Path.of("target/b")).build();
    assertThat(COPIES.equalFields(sample, defaults)).as("fields equal to the default").isEmpty();
    assertThat(COPIES.equalFields(sample, sample.toBuilder().build()))
        .containsExactlyElementsOf(COPIES.fieldNames(sample));
    List<String> others = new ArrayList<>(COPIES.fieldNames(sample));
    others.remove("seed");
    assertThat(COPIES.equalFields(sample, sample.toBuilder().seed(43).build()))
        .containsExactlyElementsOf(others);
    log.close();
  }
}
