package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.Response;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.test.VirtualScheduler;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsAndBreakersTest {
  @TempDir Path root;

  @Test
  void statsCountRequestsAndErrorsPerServiceWithPercentiles() throws Exception {
    ServiceFactory answering =
        ctx -> {
          ctx.server()
              .get(
                  "/work",
                  req ->
                      "true".equals(req.query("fail"))
                          ? Response.text(500, "failed on demand")
                          : Response.text(200, "ok"));
          return ServiceInstance.none();
        };
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("payments", answering).instances(2).build())
            .service(ServiceSpec.builder("idle", answering).build())
            .build();
    try (SystemRuntime runtime =
            SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build());
        HttpClient client = Probe.client()) {
      runtime.start();
      runtime.takeStats(); // a fresh interval
      List<InstanceHandle> payments = runtime.instances("payments");
      for (int i = 0; i < 20; i++) {
        int port = payments.get(i % 2).port();
        String path = i % 5 == 0 ? "/work?fail=true" : "/work";
        Probe.get(client, port, path);
      }

      long requests = 0;
      long errors = 0;
      long p99 = 0;
      long p50 = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (requests < 20 && System.nanoTime() < deadline) {
        List<ServiceStats> stats = runtime.takeStats();
        assertThat(stats).extracting(ServiceStats::service).containsExactly("payments", "idle");
        ServiceStats s = stats.get(0);
        assertThat(stats.get(1).requests()).isZero();
        assertThat(stats.get(1).p99Nanos()).isZero();
        assertThat(s.intervalNanos()).isPositive();
        requests += s.requests();
        errors += s.errors();
        if (s.requests() > 0) {
          p99 = Math.max(p99, s.p99Nanos());
          p50 = Math.max(p50, s.p50Nanos());
        }
      }
      assertThat(requests).isEqualTo(20);
      assertThat(errors).isEqualTo(4);
      assertThat(p50).isPositive();
      assertThat(p99).isGreaterThanOrEqualTo(p50);
      assertThat(runtime.takeStats().get(0).requests()).isZero();
    }
  }

  @Test
  void aFactorysOwnServerListenerAddsToTheRuntimesCountingInsteadOfReplacingIt() throws Exception {
    java.util.concurrent.atomic.AtomicInteger seen =
        new java.util.concurrent.atomic.AtomicInteger();
    ServiceFactory listening =
        ctx -> {
          ctx.server()
              .listener(
                  new io.bulwark.http.ServerListener() {
                    @Override
                    public void onRequest(io.bulwark.http.AccessLogEntry entry) {
                      seen.incrementAndGet();
                    }
                  })
              .get("/work", req -> Response.text(200, "ok"));
          return ServiceInstance.none();
        };
    SystemModel model =
        SystemModel.builder("s").service(ServiceSpec.builder("own", listening).build()).build();
    try (SystemRuntime runtime =
            SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build());
        HttpClient client = Probe.client()) {
      runtime.start();
      runtime.takeStats(); // a fresh interval
      for (int i = 0; i < 10; i++) {
        Probe.get(client, runtime.instances("own").get(0).port(), "/work");
      }
      long requests = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while ((requests < 10 || seen.get() < 10) && System.nanoTime() < deadline) {
        requests += runtime.takeStats().get(0).requests();
      }
      assertThat(requests).as("the runtime's listener still counts").isEqualTo(10);
      assertThat(seen.get()).as("the factory's listener is called too").isEqualTo(10);
    }
  }

  @Test
  void breakersShowTransitionsReportedThroughTheContext() throws Exception {
    AtomicReference<ResilienceListener> listener = new AtomicReference<>();
    SystemModel model =
        SystemModel.builder("s")
            .service(
                ServiceSpec.builder(
                        "orders",
                        ctx -> {
                          listener.set(ctx.resilienceListener());
                          return ServiceInstance.none();
                        })
                    .build())
            .build();
    try (SystemRuntime runtime =
        SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build())) {
      runtime.start();
      assertThat(runtime.breakers()).isEmpty();
      listener
          .get()
          .onStateTransition(
              "payments",
              new CircuitBreaker.Transition(
                  CircuitBreaker.State.CLOSED,
                  CircuitBreaker.State.OPEN,
                  "failure rate 60% >= 50%",
                  7));
      assertThat(runtime.breakers())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.instanceId()).isEqualTo("orders-1");
                assertThat(v.breaker()).isEqualTo("payments");
                assertThat(v.state()).isEqualTo(CircuitBreaker.State.OPEN);
                assertThat(v.reason()).isEqualTo("failure rate 60% >= 50%");
                assertThat(v.transitions()).isEqualTo(1);
                assertThat(v.atNanos()).isEqualTo(7);
              });
      listener
          .get()
          .onStateTransition(
              "payments",
              new CircuitBreaker.Transition(
                  CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN, "wait elapsed", 42));
      assertThat(runtime.breakers())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
                assertThat(v.reason()).isEqualTo("wait elapsed");
                assertThat(v.transitions()).isEqualTo(2);
                assertThat(v.atNanos()).isEqualTo(42);
              });
    }
  }

  private static CircuitBreaker.Transition opened(long at) {
    return new CircuitBreaker.Transition(
        CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, "failure rate 100% >= 50%", at);
  }

  @Test
  void anInstancesBreakersLeaveWithTheIncarnationThatReportedThem() throws Exception {
    Map<String, ResilienceListener> listeners = new ConcurrentHashMap<>();
    SystemModel model =
        SystemModel.builder("s")
            .service(
                ServiceSpec.builder(
                        "orders",
                        ctx -> {
                          listeners.put(ctx.version(), ctx.resilienceListener());
                          return ServiceInstance.none();
                        })
                    .build())
            .build();
    try (SystemRuntime runtime =
        SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build())) {
      runtime.start();
      InstanceHandle orders = runtime.instance("orders-1");
      ResilienceListener first = listeners.get("1.0.0");
      first.onStateTransition("payments", opened(1));
      assertThat(runtime.breakers()).extracting(BreakerView::breaker).containsExactly("payments");

      orders.deploy("2.0.0");

      assertThat(runtime.breakers()).as("the old incarnation's clients are gone").isEmpty();
      first.onStateTransition("payments", opened(2));
      assertThat(runtime.breakers()).as("a late report of a dead incarnation").isEmpty();
      ResilienceListener second = listeners.get("2.0.0");
      second.onStateTransition("cart", opened(3));
      assertThat(runtime.breakers())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.breaker()).isEqualTo("cart");
                assertThat(v.transitions()).isEqualTo(1);
              });

      orders.kill();
      assertThat(runtime.breakers()).isEmpty();
      second.onStateTransition("cart", opened(4));
      assertThat(runtime.breakers()).isEmpty();

      orders.restart();
      listeners.get("2.0.0").onStateTransition("cart", opened(5));
      assertThat(runtime.breakers()).hasSize(1);
      orders.stop();
      assertThat(runtime.breakers()).isEmpty();
    }
  }

  @Test
  void anEndpointBreakerLeavesWhenItsEndpointLeavesDiscovery() throws Exception {
    VirtualScheduler scheduler = new VirtualScheduler();
    Duration ttl = Duration.ofSeconds(3);
    AtomicReference<ResilienceListener> listener = new AtomicReference<>();
    SystemModel model =
        SystemModel.builder("s")
            .service(
                ServiceSpec.builder("payments", ctx -> ServiceInstance.none()).instances(2).build())
            .service(
                ServiceSpec.builder(
                        "orders",
                        ctx -> {
                          listener.set(ctx.resilienceListener());
                          return ServiceInstance.none();
                        })
                    .dependsOn("payments")
                    .build())
            .build();
    RuntimeOptions options =
        RuntimeOptions.builder(root).scheduler(scheduler).leaseTtl(ttl).build();
    try (SystemRuntime runtime = SystemRuntime.inProcess(model, options)) {
      runtime.start();
      InstanceHandle p1 = runtime.instance("payments-1");
      InstanceHandle p2 = runtime.instance("payments-2");
      String b1 = "payments@127.0.0.1:" + p1.port();
      String b2 = "payments@127.0.0.1:" + p2.port();
      String old2 = b2;
      listener.get().onStateTransition(b1, opened(1));
      listener.get().onStateTransition(b2, opened(2));
      listener.get().onStateTransition("payments", opened(3));
      assertThat(runtime.breakers())
          .extracting(BreakerView::breaker)
          .containsExactlyInAnyOrder("payments", b1, b2);

      p2.deploy("1.1.0"); // withdrawn at once, back on a new port

      assertThat(runtime.breakers())
          .extracting(BreakerView::breaker)
          .containsExactly("payments", b1);
      listener.get().onStateTransition(old2, opened(4));
      assertThat(runtime.breakers())
          .as("a late report for an endpoint that left")
          .extracting(BreakerView::breaker)
          .containsExactly("payments", b1);

      p1.kill(); // a crash: the endpoint stays in discovery until its lease expires
      assertThat(runtime.breakers()).extracting(BreakerView::breaker).contains(b1);
      scheduler.advance(ttl);
      assertThat(runtime.discovery().endpoints("payments")).hasSize(1);
      assertThat(runtime.breakers()).extracting(BreakerView::breaker).containsExactly("payments");

      p1.restart();
      String back = "payments@127.0.0.1:" + p1.port();
      listener.get().onStateTransition(back, opened(5));
      assertThat(runtime.breakers()).extracting(BreakerView::breaker).contains(back);
    }
  }
}
