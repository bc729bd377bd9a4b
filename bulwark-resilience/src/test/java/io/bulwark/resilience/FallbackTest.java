package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.error.RetriableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FallbackTest {

  private static String failing() {
    throw new RetriableException("down");
  }

  @Test
  void replacesAFailureWithAValue() {
    Pipeline p = Pipeline.of(Fallback.of("popular", "popular items"));
    assertThat(p.get(FallbackTest::failing)).isEqualTo("popular items");
    assertThat(p.get(() -> "personal")).isEqualTo("personal");
  }

  @Test
  void computesTheValueFromTheFailure() {
    Pipeline p = Pipeline.of(Fallback.<String>from("f", t -> "because " + t.getMessage()));
    assertThat(p.get(FallbackTest::failing)).isEqualTo("because down");
  }

  @Test
  void servesTheLastGoodValue() {
    Pipeline p =
        Pipeline.of(
            Fallback.<String>lastGood(
                "cached",
                t -> {
                  throw new IllegalStateException("nothing cached yet", t);
                }));
    assertThatThrownBy(() -> p.get(FallbackTest::failing)).hasMessage("nothing cached yet");
    assertThat(p.get(() -> "v1")).isEqualTo("v1");
    assertThat(p.get(() -> "v2")).isEqualTo("v2");
    assertThat(p.get(FallbackTest::failing)).isEqualTo("v2");
  }

  @Test
  void onlyHandlesFailuresItsPredicateAccepts() {
    Pipeline p = Pipeline.of(Fallback.of("f", "x").when(t -> t instanceof RetriableException));
    assertThat(p.get(FallbackTest::failing)).isEqualTo("x");
    assertThatThrownBy(
            () ->
                p.get(
                    () -> {
                      throw new IllegalArgumentException("bug");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void replacesRejectionsOfInnerPolicies() {
    Bulkhead full = Bulkhead.of("bh", 1);
    full.tryAcquire();
    AtomicBoolean seen = new AtomicBoolean();
    Fallback<String> fallback = Fallback.of("f", "degraded");
    fallback.addListener(
        new ResilienceListener() {
          @Override
          public void onFallback(String policy, Throwable failure) {
            seen.set(failure instanceof PolicyRejectedException);
          }
        });
    assertThat(Pipeline.of(full, fallback).get(() -> "full")).isEqualTo("degraded");
    assertThat(seen).isTrue();
  }

  @Test
  void worksOnAsyncStages() {
    Pipeline p = Pipeline.of(Fallback.of("f", "x"));
    CompletableFuture<String> result =
        p.stage(() -> CompletableFuture.failedFuture(new RetriableException("down")));
    assertThat(result).isCompletedWithValue("x");
  }
}
