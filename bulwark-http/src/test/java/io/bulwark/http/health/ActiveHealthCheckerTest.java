package io.bulwark.http.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ActiveHealthCheckerTest {
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final Endpoint a = Endpoint.of("10.0.0.1", 80);
  private final Endpoint b = Endpoint.of("10.0.0.2", 80);
  private final Map<String, Boolean> up =
      new ConcurrentHashMap<>(Map.of(a.id(), true, b.id(), true));
  private final AtomicInteger probes = new AtomicInteger();
  private final HealthCheckConfig config =
      new HealthCheckConfig("/health/ready", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);

  private ActiveHealthChecker checker() {
    return new ActiveHealthChecker(
        config,
        scheduler,
        () -> List.of(a, b),
        e -> {
          probes.incrementAndGet();
          return CompletableFuture.completedFuture(up.get(e.id()));
        });
  }

  @Test
  void probesEveryIntervalWithHysteresis() {
    ActiveHealthChecker checker = checker();
    assertThat(checker.isHealthy(a.id())).isTrue();
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(probes).hasValue(2);

    up.put(a.id(), false);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(checker.isHealthy(a.id())).as("2 failed probes < 3").isTrue();
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(checker.isHealthy(a.id())).isFalse();
    assertThat(checker.isHealthy(b.id())).isTrue();

    up.put(a.id(), true);
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(checker.isHealthy(a.id())).as("1 good probe < 2").isFalse();
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(checker.isHealthy(a.id())).isTrue();
  }

  @Test
  void aFailedOrThrowingProbeCountsAsUnhealthy() {
    ActiveHealthChecker checker =
        new ActiveHealthChecker(
            config,
            scheduler,
            () -> List.of(a),
            e -> {
              throw new IllegalStateException("probe broke");
            });
    scheduler.advance(Duration.ofSeconds(15));
    assertThat(checker.isHealthy(a.id())).isFalse();
  }

  @Test
  void closingStopsProbing() {
    ActiveHealthChecker checker = checker();
    scheduler.advance(Duration.ofSeconds(5));
    checker.close();
    scheduler.advance(Duration.ofSeconds(50));
    assertThat(probes).hasValue(2);
  }
}
