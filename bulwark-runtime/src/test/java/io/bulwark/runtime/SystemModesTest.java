package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.NetworkPartitioner.Mode;
import io.bulwark.http.discovery.Endpoint;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The system test, in both modes: a 5-service system (edge -> orders, catalog; orders ->
 * payments, inventory ×2) starts, answers through its call graph, shows a killed instance ejected
 * and replaced, a failing and a hanging partition visible in the callers' answers and healed, and
 * stops with no thread, port or child process left.
 */
class SystemModesTest {
  @TempDir Path root;

  static SystemModel fiveServices() {
    String f = NodeFactory.class.getName();
    return SystemModel.builder("five")
        .service(ServiceSpec.builder("payments", f).build())
        .service(ServiceSpec.builder("inventory", f).instances(2).zones(List.of("a", "b")).build())
        .service(
            ServiceSpec.builder("orders", f)
                .dependsOn("payments")
                .dependsOn("inventory")
                .setting("calls", "payments,inventory")
                .setting("timeout-ms", "2500")
                .build())
        .service(ServiceSpec.builder("catalog", f).build())
        .service(
            ServiceSpec.builder("edge", f)
                .dependsOn("orders")
                .dependsOn("catalog")
                .setting("calls", "orders,catalog")
                .setting("timeout-ms", "6000")
                .build())
        .build();
  }

  private static Set<Long> children() {
    Set<Long> pids = new HashSet<>();
    ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /** Polls a condition that must come true (never used to prove absence). */
  private @org.jspecify.annotations.Nullable SystemRuntime current;

  private void eventually(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        SystemRuntime rt = current;
        throw new AssertionError(
            "never happened: " + what + (rt == null ? "" : "; events: " + rt.events()));
      }
      Thread.sleep(50);
    }
  }

  private static String hello(HttpClient http, SystemRuntime rt) {
    try {
      return Probe.get(http, rt.instances("edge").get(0).port(), "/hello").body();
    } catch (Exception e) {
      return "error " + e;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"in-process", "processes"})
  void fiveServicesStartAnswerSurviveAKillAndAPartitionAndLeaveNothing(String mode)
      throws Exception {
    Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
    Set<Long> childrenBefore = children();
    RuntimeOptions options =
        RuntimeOptions.builder(root)
            .leaseTtl(Duration.ofMillis(900))
            .metricsStep(Duration.ofMillis(100))
            .restartBackoff(Duration.ofMillis(100))
            .drainBudget(Duration.ofSeconds(2))
            .build();
    SystemRuntime rt =
        mode.equals("processes")
            ? SystemRuntime.processes(fiveServices(), options)
            : SystemRuntime.inProcess(fiveServices(), options);
    current = rt;
    List<Integer> ports = new ArrayList<>();
    try (HttpClient http = Probe.client()) {
      rt.start();
      for (InstanceHandle h : rt.instances()) {
        assertThat(h.state()).isEqualTo(InstanceState.READY);
        ports.add(h.port());
      }
      ports.add(rt.systemPort());
      if (mode.equals("processes")) {
        assertThat(children()).hasSizeGreaterThanOrEqualTo(childrenBefore.size() + 6);
        assertThat(rt.instance("orders-1").storage().resolve("logs/stdout.log"))
            .content()
            .contains("BULWARK-CHILD-PORT " + rt.instance("orders-1").port());
      }
      // the call graph answers end to end
      // (process mode: the children's JIT is cold, the first calls may time out)
      eventually("a full answer", () -> !hello(http, rt).contains("failed"));
      String answer = hello(http, rt);
      assertThat(answer)
          .startsWith("edge-1[orders-1[payments-1[] inventory-")
          .contains("catalog-1[]")
          .doesNotContain("failed");
      // zones are in discovery
      assertThat(rt.discovery().endpoints("inventory"))
          .extracting(Endpoint::zone)
          .containsExactlyInAnyOrder("a", "b");

      // system metrics: the edge's answers flow into the store and /metrics
      eventually(
          "edge requests in the system metrics",
          () -> rt.prometheus().contains("bulwark_instance_requests_total{instance=\"edge-1\""));
      String scraped = Probe.get(http, rt.systemPort(), "/metrics").body();
      assertThat(scraped).contains("bulwark_instance_up{instance=\"inventory-2\"");

      // a killed instance is ejected (not ready at once, out of discovery at lease expiry) and
      // replaced by the supervisor
      int oldPort = rt.instance("inventory-1").port();
      rt.instanceKiller().kill("inventory", "inventory-1");
      assertThat(rt.readyEndpoints("inventory")).extracting(Endpoint::port).doesNotContain(oldPort);
      eventually(
          "inventory-1 replaced", () -> rt.instance("inventory-1").state() == InstanceState.READY);
      eventually(
          "discovery holds exactly the ready inventory endpoints",
          () ->
              new HashSet<>(rt.discovery().endpoints("inventory"))
                  .equals(new HashSet<>(rt.readyEndpoints("inventory"))));
      ports.add(rt.instance("inventory-1").port());
      eventually("calls heal after the kill", () -> !hello(http, rt).contains("failed"));

      // a partition between orders and payments shows in orders' client errors, and heals
      rt.partitioner().partition("orders", "payments", Mode.FAIL);
      eventually("partition visible", () -> hello(http, rt).contains("payments:failed"));
      assertThat(hello(http, rt)).contains("inventory-").contains("catalog-1[]");
      rt.partitioner().heal("orders", "payments");
      eventually("partition healed", () -> hello(http, rt).contains("payments-1[]"));

      // a HANG partition between orders and inventory: orders' calls to inventory time out (its
      // client's 2.5 s timeout: not a refusal), the other calls answer, and a heal restores them
      rt.partitioner().partition("orders", "inventory", Mode.HANG);
      eventually("hang visible", () -> hello(http, rt).contains("inventory:failed"));
      long began = System.nanoTime();
      String hung = hello(http, rt);
      assertThat(Duration.ofNanos(System.nanoTime() - began))
          .as("a hung call waits for the caller's timeout")
          .isGreaterThanOrEqualTo(Duration.ofMillis(2_400));
      assertThat(hung)
          .contains("inventory:failed")
          .contains("payments-1[]")
          .contains("catalog-1[]");
      rt.partitioner().heal("orders", "inventory");
      eventually("hang healed", () -> hello(http, rt).contains("inventory-"));
      assertThat(rt.events())
          .extracting(RuntimeEvent::detail)
          .contains("orders <-> inventory cut (HANG)", "orders <-> inventory healed");
    } finally {
      rt.stop();
      rt.events().forEach(e -> System.out.println("event " + e));
    }
    for (int port : ports) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        throw new AssertionError("port " + port + " still accepts connections: " + s);
      } catch (ConnectException refused) {
        // expected
      }
    }
    Set<Long> left = children();
    left.removeAll(childrenBefore);
    assertThat(left).as("child processes left").isEmpty();
    Set<Thread> added = new HashSet<>(Thread.getAllStackTraces().keySet());
    added.removeAll(threadsBefore);
    // the JDK's shared pools (virtual-thread carriers, cleaner, process reaper, and the poller
    // that the first blocking socket read of a virtual thread starts) are not ours
    added.removeIf(
        t ->
            t.getName().startsWith("ForkJoinPool")
                || t.getName().equals("VirtualThread-unblocker")
                || t.getName().equals("MasterPoller")
                || t.getName().startsWith("Cleaner")
                || t.getName().startsWith("process reaper"));
    assertThat(Probe.survivors(added)).as("threads left").isEmpty();
  }
}
