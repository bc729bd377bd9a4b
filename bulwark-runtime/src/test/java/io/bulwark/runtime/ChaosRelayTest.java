package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process mode: a fault started on a chaos controller in the parent reaches the children through
 * {@link SystemRuntime#chaosRelay()} (each child's chaos admin endpoint), also a child restarted
 * while the fault is active, and leaves them when it is cleared.
 */
class ChaosRelayTest {
  @TempDir Path root;

  @Test
  void aParentFaultReachesTheChildrenAndARestartedChildAndClearsEverywhere() throws Exception {
    SystemModel model =
        SystemModel.builder("relay")
            .service(ServiceSpec.builder("backend", NodeFactory.class.getName()).build())
            .service(
                ServiceSpec.builder("front", NodeFactory.class.getName())
                    .dependsOn("backend")
                    .setting("calls", "backend")
                    .build())
            .build();
    try (SystemRuntime rt =
            SystemRuntime.processes(
                model, RuntimeOptions.builder(root).drainBudget(Duration.ofSeconds(2)).build());
        HttpClient http = Probe.client();
        Chaos chaos =
            Chaos.builder()
                .config(ChaosConfig.enabledDefaults())
                .listener(rt.chaosRelay())
                .build()) {
      rt.start();
      eventually("front reaches backend", () -> hello(http, rt).equals("front-1[backend-1[] ]"));

      ActiveFault fault =
          chaos.start(
              new Fault.HttpError(503),
              BlastRadius.builder().dependency("backend").build(),
              Duration.ofMinutes(5));
      // the fault lives in the front child, not in this JVM's calls: only the relay can put it
      // there
      eventually("the relayed fault in front-1", () -> hello(http, rt).contains("backend:failed"));

      rt.instance("front-1").restart();
      eventually(
          "the fault in front-1's next incarnation",
          () -> hello(http, rt).contains("backend:failed"));

      assertThat(chaos.clear(fault.id())).isTrue();
      eventually(
          "the fault cleared in front-1", () -> hello(http, rt).equals("front-1[backend-1[] ]"));
    }
  }

  private static String hello(HttpClient http, SystemRuntime rt) {
    try {
      return Probe.get(http, rt.instance("front-1").port(), "/hello").body();
    } catch (Exception e) {
      return "error " + e;
    }
  }

  private static void eventually(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      Thread.sleep(50); // polls a condition that must come true; never proves absence
    }
  }
}
