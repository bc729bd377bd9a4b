package io.bulwark.chaos.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.LatencyDistribution;
import io.bulwark.core.fault.FaultPointKind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ChaosRoutes#toJson} writes every fault type and every radius field so that {@link
 * ChaosRoutes#parseFault} (what the admin endpoint runs) reads back an equal spec, also after the
 * text crossed a wire.
 */
class FaultJsonRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyFaultTypeAndRadiusFieldSurvivesTheRoundTrip() throws Exception {
    List<Fault> faults =
        List.of(
            Fault.Latency.of(Duration.ofMillis(250)),
            new Fault.Latency(
                LatencyDistribution.uniform(Duration.ofNanos(1_500), Duration.ofSeconds(2))),
            new Fault.Latency(
                LatencyDistribution.exponential(Duration.ofMillis(30), Duration.ofMillis(400))),
            new Fault.HttpError(503),
            Fault.Raise.of(IllegalStateException.class.getName(), "boom \"quoted\""),
            new Fault.SqlError("40001", "serialization failure"),
            new Fault.Blackhole(),
            new Fault.SlowBody(1024),
            new Fault.TruncatedBody(7),
            new Fault.DuplicateDelivery(3),
            new Fault.ReorderDelivery(4),
            new Fault.ClockSkew(Duration.ofMillis(-1500)),
            new Fault.CpuBurn(1),
            new Fault.MemoryBallast(1 << 20));
    BlastRadius full =
        BlastRadius.builder()
            .service("recommendations")
            .instance("recommendations-1")
            .route("/recommendations/*")
            .percent(37.5)
            .cohort("exp-7")
            .decision(BlastRadius.Decision.PER_REQUEST)
            .build();
    for (Fault fault : faults) {
      for (BlastRadius radius : List.of(full, BlastRadius.everything())) {
        roundTrip(new FaultSpec(fault, radius, Duration.ofSeconds(90), "exp-7", 42));
      }
    }
    // the points (a fault may act only at its own kinds of point)
    roundTrip(
        new FaultSpec(
            new Fault.HttpError(503),
            full.toBuilder().points(FaultPointKind.HTTP_CLIENT, FaultPointKind.HTTP_SERVER).build(),
            Duration.ofMillis(1500),
            "",
            0));
    roundTrip(
        new FaultSpec(
            new Fault.HttpError(503),
            radiusOfDependency("recommendations"),
            Duration.ofMinutes(5),
            "",
            0));
  }

  private static void roundTrip(FaultSpec spec) throws Exception {
    String wire = JSON.writeValueAsString(ChaosRoutes.toJson(spec));
    assertThat(ChaosRoutes.parseFault(JSON.readTree(wire))).as(wire).isEqualTo(spec);
  }

  private static BlastRadius radiusOfDependency(String service) {
    return BlastRadius.builder().dependency(service).build();
  }
}
