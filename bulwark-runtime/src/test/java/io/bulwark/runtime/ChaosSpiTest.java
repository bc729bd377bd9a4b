package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.NetworkPartitioner.Mode;
import io.bulwark.http.Response;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's implementations of chaos's kill and partition SPIs, seen from the outside: a
 * caller's answer tells what its client of {@code backend} got.
 */
class ChaosSpiTest {
  @TempDir Path root;

  /** {@code GET /call}: calls backend's {@code /ping} and answers what happened. */
  private static ServiceFactory caller() {
    return ctx -> {
      HttpClients clients =
          HttpClients.builder(ctx.discovery(), ctx.scheduler())
              .client(
                  "backend",
                  ClientConfig.builder("backend").timeout(Duration.ofMillis(500)).build())
              .decorators((name, config) -> CallDecorator.none())
              .build();
      ServiceClient backend = clients.client("backend");
      ctx.server()
          .get(
              "/call",
              req -> {
                try {
                  var r = backend.get("/ping");
                  return Response.text(200, "ok " + new String(r.body(), StandardCharsets.UTF_8));
                } catch (HttpCallException e) {
                  return Response.text(
                      200, (e.isTimeout() ? "timeout " : "failed ") + e.getMessage());
                }
              });
      return ServiceInstance.of(clients);
    };
  }

  private SystemRuntime start() {
    ServiceFactory backend =
        ctx -> {
          ctx.server().get("/ping", req -> Response.text(200, "pong from " + ctx.instanceId()));
          return ServiceInstance.none();
        };
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("backend", backend).instances(2).build())
            .service(ServiceSpec.builder("front", caller()).dependsOn("backend").build())
            .service(ServiceSpec.builder("bystander", caller()).dependsOn("backend").build())
            .build();
    SystemRuntime runtime = SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build());
    runtime.start();
    return runtime;
  }

  private static String call(SystemRuntime rt, HttpClient http, String service) throws Exception {
    return Probe.get(http, rt.instances(service).get(0).port(), "/call").body();
  }

  @Test
  void aFailPartitionFailsCallsBothWaysAtOnceOnlyBetweenTheTwoAndHealsAtOnce() throws Exception {
    try (SystemRuntime rt = start();
        HttpClient http = Probe.client()) {
      assertThat(call(rt, http, "front")).startsWith("ok pong");

      rt.partitioner().partition("front", "backend", Mode.FAIL);

      for (int i = 0; i < 20; i++) {
        assertThat(call(rt, http, "front")).startsWith("failed").contains("no endpoint");
        assertThat(call(rt, http, "bystander")).startsWith("ok pong"); // outside the partition
      }
      rt.partitioner().heal("backend", "front"); // either order names the pair
      assertThat(call(rt, http, "front")).startsWith("ok pong");
      rt.partitioner().heal("backend", "front"); // nothing left to heal: no event
      // the cut and the heal are runtime events (timelines, dashboards)
      assertThat(
              rt.events().stream()
                  .filter(
                      e ->
                          e.kind() == RuntimeEvent.Kind.PARTITIONED
                              || e.kind() == RuntimeEvent.Kind.HEALED)
                  .map(e -> e.kind() + " " + e.service() + ": " + e.detail()))
          .containsExactly(
              "PARTITIONED front: front <-> backend cut (FAIL)",
              "HEALED backend: backend <-> front healed");
    }
  }

  @Test
  void aHangPartitionTimesCallsOutUntilHealed() throws Exception {
    try (SystemRuntime rt = start();
        HttpClient http = Probe.client()) {
      rt.partitioner().partition("backend", "front", Mode.HANG);
      assertThat(call(rt, http, "front")).startsWith("timeout");
      assertThat(call(rt, http, "bystander")).startsWith("ok pong");
      rt.partitioner().healAll();
      assertThat(call(rt, http, "front")).startsWith("ok pong");
      assertThat(rt.events())
          .filteredOn(e -> e.kind() == RuntimeEvent.Kind.HEALED)
          .singleElement()
          .satisfies(e -> assertThat(e.detail()).isEqualTo("backend <-> front healed"));
    }
  }

  @Test
  void partitionsNameKnownDistinctServices() throws Exception {
    try (SystemRuntime rt = start()) {
      assertThatThrownBy(() -> rt.partitioner().partition("front", "ghost", Mode.FAIL))
          .hasMessageContaining("unknown service \"ghost\"")
          .hasMessageContaining("backend");
      assertThatThrownBy(() -> rt.partitioner().partition("front", "front", Mode.FAIL))
          .hasMessageContaining("from itself");
    }
  }

  @Test
  void killIsTheInstancesKillAndCallersMoveToTheSurvivor() throws Exception {
    try (SystemRuntime rt = start();
        HttpClient http = Probe.client()) {
      rt.instanceKiller().kill("backend", "backend-1");
      assertThat(rt.instance("backend-1").state()).isEqualTo(InstanceState.KILLED);
      assertThat(rt.instance("backend-2").state()).isEqualTo(InstanceState.READY);
      java.util.List<String> seen = new java.util.ArrayList<>();
      for (int i = 0; i < 10; i++) {
        seen.add(call(rt, http, "front"));
      }
      // its lease stays (as after a crash): calls to it fail, the others reach the survivor
      assertThat(seen).anyMatch(a -> a.startsWith("failed"));
      assertThat(seen).anyMatch(a -> a.equals("ok pong from backend-2"));
      assertThat(seen).noneMatch(a -> a.contains("backend-1") && a.startsWith("ok"));
      assertThatThrownBy(() -> rt.instanceKiller().kill("front", "backend-2"))
          .hasMessageContaining("is of service backend, not front");
      assertThatThrownBy(() -> rt.instanceKiller().kill("backend", "backend-9"))
          .hasMessageContaining("backend-9");
      rt.instance("backend-1").restart();
      assertThat(rt.instance("backend-1").state()).isEqualTo(InstanceState.READY);
    }
  }
}
