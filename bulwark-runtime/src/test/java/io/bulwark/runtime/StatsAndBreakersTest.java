package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.Response;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.ResilienceListener;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
}
