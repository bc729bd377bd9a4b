package io.bulwark.runtime;

import io.bulwark.http.Response;
import io.bulwark.resilience.CircuitBreaker;
import java.time.Duration;

/**
 * A test service named by class (process-mode children load it), whose answers are known: {@code
 * /ok} 200, {@code /slow} 200 after 60 ms, {@code /limited} 429, {@code /overloaded} 503, {@code
 * /fail} 500, and {@code /trip} reports 4 failures to its circuit breaker {@code downstream} (count
 * window of 4, opens at 50 %), which reports to the instance's resilience listener.
 */
public final class TelemetryNode implements ServiceFactory {
  static final Duration SLOW = Duration.ofMillis(60);

  public TelemetryNode() {}

  @Override
  public ServiceInstance create(InstanceContext ctx) {
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "downstream",
            CircuitBreaker.builder()
                .countBasedWindow(4)
                .minimumCalls(4)
                .failureRateThreshold(50)
                .waitInOpen(Duration.ofMinutes(10))
                .build(),
            ctx.scheduler());
    breaker.addListener(ctx.resilienceListener());
    ctx.server()
        .get("/ok", req -> Response.text(200, "ok"))
        .get(
            "/slow",
            req -> {
              Thread.sleep(SLOW); // the route under test is slow: this is its latency
              return Response.text(200, "slow");
            })
        .get("/limited", req -> Response.text(429, "too many requests"))
        .get("/overloaded", req -> Response.text(503, "overloaded"))
        .get("/fail", req -> Response.text(500, "failed"))
        .get(
            "/trip",
            req -> {
              for (int i = 0; i < 4; i++) {
                CircuitBreaker.Permit p = breaker.tryAcquirePermit();
                if (p != null) {
                  p.onResult(1_000, new IllegalStateException("downstream failed"));
                }
              }
              return Response.text(200, breaker.state().name());
            });
    return ServiceInstance.none();
  }
}
