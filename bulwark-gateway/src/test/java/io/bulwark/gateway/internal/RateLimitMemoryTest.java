package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.gateway.RouteSecurity;
import io.bulwark.resilience.RateLimiterConfig;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An attacker rotating rate-limit keys cannot grow the gateway's memory past {@code max-keys}, and
 * can rarely flush a regular client's exhausted bucket out to get it a fresh burst.
 */
class RateLimitMemoryTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static Verdict admit(RateLimitStage stage, String apiKey) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-api-key", apiKey);
    AdmissionHead head =
        new AdmissionHead("r", "GET", "/", "h", headers, "10.0.0.1", vertx.getOrCreateContext());
    return stage.admit(head).toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void rotatingKeysStayWithinMaxKeysAndDoNotResetAKnownClient() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    RouteSecurity.RateLimit config =
        new RouteSecurity.RateLimit(
            "per-key",
            RouteSecurity.Key.parse("header:x-api-key"),
            RateLimiterConfig.builder().rate(1, Duration.ofMinutes(1)).burst(1).build(),
            1_000);
    RateLimitStage stage = new RateLimitStage("r", config, time);
    assertThat(admit(stage, "steady").allowed()).isTrue();
    int steadyAllowed = 0;
    for (int round = 0; round < 30; round++) {
      for (int i = 0; i < 1_000; i++) {
        assertThat(admit(stage, "rotating-" + round + "-" + i).allowed()).isTrue();
      }
      if (admit(stage, "steady").allowed()) {
        steadyAllowed++;
      }
      assertThat(stage.limiter().size()).isLessThanOrEqualTo(1_000 + 2);
    }
    // Eviction is the keyed limiter's W-TinyLFU (with Caffeine's random admission jitter), so a
    // key in regular use is kept far more often than not; with plain LRU the flood would evict
    // it every round and hand it 30 fresh bursts. The bound records what the limiter guarantees:
    // an evicted key restarts with a full burst (bulwark-resilience's KeyedRateLimiter docs).
    assertThat(steadyAllowed)
        .as("fresh bursts the exhausted client got from the flood")
        .isLessThanOrEqualTo(3);
    // a very long key costs no more than a short one: it is stored as its digest
    assertThat(admit(stage, "x".repeat(8_000)).allowed()).isTrue();
    assertThat(admit(stage, "x".repeat(8_000)).allowed()).isFalse();
    assertThat(admit(stage, "x".repeat(7_999)).allowed()).isTrue();
  }
}
