package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.Response;
import io.bulwark.http.discovery.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeLifecycleTest {
  @TempDir Path root;

  private RuntimeOptions options() {
    return RuntimeOptions.builder(root).readinessTimeout(Duration.ofSeconds(10)).build();
  }

  /** A factory whose instance answers GET /hello; records what discovery showed it. */
  private static ServiceFactory hello(Map<String, List<Endpoint>> seen, String... deps) {
    return ctx -> {
      try (HttpClient client = Probe.client()) {
        for (String dep : deps) {
          List<Endpoint> endpoints = ctx.discovery().endpoints(dep);
          for (Endpoint e : endpoints) {
            // a dependency is not only registered but answering
            assertThat(Probe.get(client, e.port(), "/health/ready").statusCode()).isEqualTo(200);
          }
          seen.put(ctx.instanceId() + "->" + dep, endpoints);
        }
      }
      ctx.server().get("/hello", req -> Response.text(200, ctx.instanceId()));
      return ServiceInstance.none();
    };
  }

  @Test
  void startsInDependencyOrderWithDependenciesReadyAndStopsInReverse() throws Exception {
    Map<String, List<Endpoint>> seen = new ConcurrentHashMap<>();
    SystemModel model =
        SystemModel.builder("abc")
            .service(ServiceSpec.builder("c", hello(seen, "b")).dependsOn("b").build())
            .service(ServiceSpec.builder("b", hello(seen, "a")).dependsOn("a").instances(2).build())
            .service(ServiceSpec.builder("a", hello(seen)).build())
            .build();
    Probe.Recorder events = new Probe.Recorder();
    List<Integer> ports = new ArrayList<>();
    try (SystemRuntime runtime = SystemRuntime.inProcess(model, options());
        HttpClient client = Probe.client()) {
      runtime.addListener(events);
      runtime.start();

      assertThat(events.only("ready"))
          .containsExactly("ready:a-1", "ready:b-1", "ready:b-2", "ready:c-1");
      assertThat(seen.get("b-1->a")).hasSize(1);
      assertThat(seen.get("b-2->a")).hasSize(1);
      assertThat(seen.get("c-1->b")).hasSize(2);
      assertThat(runtime.instances())
          .extracting(InstanceHandle::id)
          .containsExactly("a-1", "b-1", "b-2", "c-1");
      for (InstanceHandle h : runtime.instances()) {
        assertThat(h.state()).isEqualTo(InstanceState.READY);
        assertThat(Probe.get(client, h.port(), "/hello").body()).isEqualTo(h.id());
        assertThat(Probe.get(client, h.port(), "/metrics").statusCode()).isEqualTo(200);
        ports.add(h.port());
      }
      assertThat(runtime.readyEndpoints("b"))
          .extracting(Endpoint::port)
          .containsExactlyInAnyOrder(ports.get(1), ports.get(2));
      assertThat(runtime.discovery().endpoints("b")).hasSize(2);
      assertThat(root.resolve("b/shared")).isDirectory();
      assertThat(root.resolve("b/b-2")).isDirectory();
      assertThat(runtime.instance("b-2").storage()).isEqualTo(root.resolve("b/b-2"));

      runtime.stop();

      assertThat(events.only("stopped"))
          .containsExactly("stopped:c-1", "stopped:b-2", "stopped:b-1", "stopped:a-1");
      assertThat(runtime.instances())
          .isNotEmpty()
          .allMatch(h -> h.state() == InstanceState.STOPPED && h.port() == -1);
      runtime.stop(); // twice is fine
      assertThat(events.only("stopped")).hasSize(4);
      for (int port : ports) {
        Probe.assertFree(port);
      }
      assertThatThrownBy(runtime::start).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aFactoryFailingInTheThirdServiceStopsTheFirstTwoAndNamesTheInstance() throws Exception {
    Set<Thread> before = Probe.runtimeThreads();
    Map<String, List<Endpoint>> seen = new ConcurrentHashMap<>();
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("a", hello(seen)).build())
            .service(ServiceSpec.builder("b", hello(seen)).dependsOn("a").build())
            .service(
                ServiceSpec.builder(
                        "c",
                        ctx -> {
                          throw new IllegalStateException("cannot open the ledger");
                        })
                    .dependsOn("b")
                    .build())
            .build();
    Probe.Recorder events = new Probe.Recorder();
    Map<String, Integer> ports = new ConcurrentHashMap<>();
    try (SystemRuntime runtime = SystemRuntime.inProcess(model, options())) {
      runtime.addListener(events);
      runtime.addListener(
          new RuntimeListener() {
            @Override
            public void onReady(InstanceHandle instance, int port, Duration took) {
              ports.put(instance.id(), port);
            }
          });

      assertThatThrownBy(runtime::start)
          .isInstanceOf(RuntimeStartException.class)
          .hasMessageContaining("c-1")
          .hasMessageContaining("cannot open the ledger");

      assertThat(events.only("failed")).containsExactly("failed:c-1");
      assertThat(events.only("stopped")).containsExactly("stopped:b-1", "stopped:a-1");
      assertThat(runtime.instance("c-1").state()).isEqualTo(InstanceState.FAILED);
      assertThat(ports).hasSize(2);
      for (int port : ports.values()) {
        Probe.assertFree(port);
      }
    }
    Set<Thread> started = Probe.runtimeThreads();
    started.removeAll(before);
    assertThat(Probe.survivors(started)).isEmpty();
  }

  @Test
  void aFactoryMissingAClassFailsTheStartLikeAnException() throws Exception {
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("a", hello(Map.of())).build())
            .service(
                ServiceSpec.builder(
                        "b",
                        ctx -> {
                          throw new NoClassDefFoundError("io/example/Missing");
                        })
                    .build())
            .build();
    Probe.Recorder events = new Probe.Recorder();
    try (SystemRuntime runtime = SystemRuntime.inProcess(model, options())) {
      runtime.addListener(events);
      assertThatThrownBy(runtime::start)
          .isInstanceOf(RuntimeStartException.class)
          .hasMessageContaining("b-1")
          .hasMessageContaining("io/example/Missing");
      assertThat(events.events)
          .containsExactly(
              "starting:a-1", "ready:a-1", "starting:b-1", "failed:b-1", "stopped:a-1");
    }
  }

  @Test
  void aServerNeverReadyFailsTheStartAndClosesWhatTheInstanceOpened() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    List<Thread> loops = new ArrayList<>();
    SystemModel model =
        SystemModel.builder("s")
            .service(
                ServiceSpec.builder(
                        "never",
                        ctx -> {
                          ctx.server().readiness(() -> false);
                          loops.add(ctx.background("loop", () -> awaitStopping(ctx)));
                          return () -> closed.set(true);
                        })
                    .build())
            .build();
    RuntimeOptions opts = options().toBuilder().readinessTimeout(Duration.ofMillis(300)).build();
    try (SystemRuntime runtime = SystemRuntime.inProcess(model, opts)) {
      assertThatThrownBy(runtime::start)
          .isInstanceOf(RuntimeStartException.class)
          .hasMessageStartingWith("never-1: start failed")
          .hasMessageContaining("ready");
      assertThat(closed).isTrue();
      assertThat(loops).hasSize(1);
      assertThat(loops.get(0).isAlive()).isFalse();
      assertThat(runtime.instance("never-1").port()).isEqualTo(-1);
    }
  }

  private static void awaitStopping(InstanceContext ctx) {
    while (!ctx.stopping() && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(5_000_000);
    }
  }

  @Test
  void aPortInUseWithBasePortNamesThePortAndLeavesNothingRunning() throws Exception {
    Set<Thread> before = Probe.runtimeThreads();
    try (ServerSocket taken = new ServerSocket()) {
      taken.setReuseAddress(true);
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int clash = taken.getLocalPort();
      // payments-1 gets clash - 1 (free or not, it must be released), payments-2 the taken port
      SystemModel model =
          SystemModel.builder("s")
              .service(ServiceSpec.builder("payments", hello(Map.of())).instances(2).build())
              .build();
      RuntimeOptions opts = options().toBuilder().basePort(clash - 1).build();
      Map<String, Integer> ports = new ConcurrentHashMap<>();
      try (SystemRuntime runtime = SystemRuntime.inProcess(model, opts)) {
        runtime.addListener(
            new RuntimeListener() {
              @Override
              public void onReady(InstanceHandle instance, int port, Duration took) {
                ports.put(instance.id(), port);
              }
            });
        assertThatThrownBy(runtime::start)
            .isInstanceOf(RuntimeStartException.class)
            .satisfiesAnyOf(
                e -> assertThat(e).hasMessage("payments-2: port " + clash + " is in use"),
                e -> assertThat(e).hasMessage("payments-1: port " + (clash - 1) + " is in use"));
        assertThat(runtime.instances())
            .isNotEmpty()
            .noneMatch(h -> h.state() == InstanceState.READY);
      }
      for (int port : ports.values()) {
        Probe.assertFree(port);
      }
    }
    Set<Thread> started = Probe.runtimeThreads();
    started.removeAll(before);
    assertThat(Probe.survivors(started)).isEmpty();
  }

  @Test
  void anUnwritableStorageRootNamesThePath() throws IOException {
    Path file = Files.writeString(root.resolve("not-a-dir"), "x");
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("orders", hello(Map.of())).build())
            .build();
    try (SystemRuntime runtime =
        SystemRuntime.inProcess(model, RuntimeOptions.builder(file.resolve("root")).build())) {
      assertThatThrownBy(runtime::start)
          .isInstanceOf(RuntimeStartException.class)
          .hasMessageStartingWith(
              "orders-1: storage directory " + file.resolve("root/orders/shared").toAbsolutePath());
      assertThat(runtime.instance("orders-1").state()).isEqualTo(InstanceState.FAILED);
    }
  }

  @Test
  void unknownNamesAreRefusedNamingThem() {
    SystemModel model =
        SystemModel.builder("s").service(ServiceSpec.builder("a", hello(Map.of())).build()).build();
    try (SystemRuntime runtime = SystemRuntime.inProcess(model, options())) {
      assertThatThrownBy(() -> runtime.instance("a-2")).hasMessage("system s has no instance a-2");
      assertThatThrownBy(() -> runtime.instances("z")).hasMessage("system s has no service z");
      assertThatThrownBy(() -> runtime.readyEndpoints("z")).hasMessage("system s has no service z");
    }
  }

  @Test
  void aBasePortTooHighForEveryInstanceIsRefused() {
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("a", hello(Map.of())).instances(2).build())
            .build();
    RuntimeOptions opts = options().toBuilder().basePort(65535).build();
    assertThatThrownBy(() -> SystemRuntime.inProcess(model, opts))
        .hasMessageContaining("would be 65536");
  }
}
