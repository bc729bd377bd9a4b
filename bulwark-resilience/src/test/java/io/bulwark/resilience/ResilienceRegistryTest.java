package io.bulwark.resilience;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VirtualTimeExtension.class)
class ResilienceRegistryTest {
  private static final ConfigLoader LOADER =
      ConfigLoader.withEnv(Map.of("CHECKOUT_TIMEOUT", "400ms"));

  private static final String FULL =
      """
      budgets:
        payments:
          ratio: 0.2
          min-retries-per-second: 10
          max-burst: 50
      pipelines:
        checkout:
          deadline: 2s
          retry:
            max-attempts: 3
            initial-delay: 50ms
            multiplier: 2
            max-delay: 200ms
            jitter: decorrelated
            min-attempt-time: 20ms
            budget: payments
          throttle:
            k: 2
            window: 2m
          circuit-breaker:
            window: time
            window-size: 30
            minimum-calls: 20
            failure-rate-threshold: 40
            slow-call-rate-threshold: 80
            slow-call-duration: 1s
            wait-in-open: 30s
            half-open-permits: 5
            max-wait-in-half-open: 10s
          rate-limiter:
            permits: 100
            period: 1s
            burst: 20
          timeout: ${CHECKOUT_TIMEOUT}
          bulkhead:
            max-concurrent: 20
            max-wait: 10ms
          limit:
            algorithm: vegas
            initial-limit: 10
            max-limit: 100
            shares:
              sheddable: 0.4
        search:
          hedge:
            delay: 30ms
            percentile: 95
            budget: payments
          bulkhead:
            max-concurrent: 5
      """;

  @Test
  void buildsNamedPipelinesFromYaml(VirtualScheduler scheduler) {
    RegistryConfig config = RegistryConfig.parse(FULL, "resilience.yaml", LOADER);
    ResilienceRegistry registry = ResilienceRegistry.of(config, scheduler);
    Pipeline checkout = registry.pipeline("checkout");

    assertThat(checkout.policies())
        .extracting(Policy::name)
        .containsExactly(
            "checkout.retry",
            "checkout.throttle",
            "checkout.circuitBreaker",
            "checkout.rateLimiter",
            "checkout.timeout",
            "checkout.bulkhead",
            "checkout.limit");
    PipelineSpec spec = requireNonNull(config.pipelines().get("checkout"));
    assertThat(spec.timeout()).isEqualTo(TimeoutConfig.of(Duration.ofMillis(400)));
    assertThat(requireNonNull(spec.circuitBreaker()).windowType())
        .isEqualTo(CircuitBreakerConfig.WindowType.TIME_BASED);
    assertThat(requireNonNull(spec.limit()).sheddableShare()).isEqualTo(0.4);
    assertThat(requireNonNull(spec.retry()).jitter()).isEqualTo(RetryConfig.Jitter.DECORRELATED);
    Retry retry = (Retry) checkout.policies().getFirst();
    assertThat(retry.config().budget()).isSameAs(registry.budget("payments"));
    Hedge hedge = (Hedge) registry.pipeline("search").policies().getFirst();
    assertThat(hedge.config().budget()).isSameAs(registry.budget("payments"));
    assertThat(registry.pipeline("search").get(() -> "found")).isEqualTo("found");
  }

  @Test
  void reportsEveryProblemWithFileAndLine() {
    String yaml =
        """
        budgets:
          b:
            ratio: 1.5
        pipelines:
          orders:
            retry:
              max-attempts: 0
              budget: nope
            circuit-breaker:
              failure-rate-threshold: 150
              colour: red
            rate-limiter:
              period: 1s
        """;
    List<String> problems = problemsOf(yaml, "resilience.yaml");
    assertThat(problems)
        .contains(
            "resilience.yaml:3: budgets.b.ratio: ratio must be in [0, 1], was 1.5",
            "resilience.yaml:7: pipelines.orders.retry.max-attempts: maxAttempts must be"
                + " positive, was 0",
            "resilience.yaml:8: pipelines.orders.retry.budget: unknown budget \"nope\","
                + " known: [b]",
            "resilience.yaml:10: pipelines.orders.circuit-breaker.failure-rate-threshold:"
                + " failureRateThreshold must be in (0, 100] percent, was 150.0",
            "resilience.yaml:13: pipelines.orders.rate-limiter.permits: is required");
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith(
                    "resilience.yaml:11: pipelines.orders.circuit-breaker.colour:"
                        + " unknown key"));
  }

  @Test
  void keyedRateLimiterFromYamlLimitsEachTenantApartBeforeTheSharedLimit(
      VirtualScheduler scheduler) {
    String yaml =
        """
        pipelines:
          api:
            keyed-rate-limiter: {permits: 2, period: 1s, key: "baggage:tenant", max-keys: 100}
            rate-limiter: {permits: 5, period: 1s}
        """;
    ResilienceRegistry registry =
        ResilienceRegistry.of(RegistryConfig.parse(yaml, "r.yaml", LOADER), scheduler);
    Pipeline api = registry.pipeline("api");
    assertThat(api.policies())
        .extracting(Policy::kind)
        .containsExactly(PolicyKind.KEYED_RATE_LIMITER, PolicyKind.RATE_LIMITER);
    assertThat(callsAdmitted(api, "a", 4)).isEqualTo(2);
    assertThat(callsAdmitted(api, "b", 4)).isEqualTo(2);
    // tenant a's refused calls spent no shared permit: 4 of the shared 5 are used, 1 is left
    assertThat(callsAdmitted(api, "c", 4)).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(callsAdmitted(api, "a", 1)).isEqualTo(1);
  }

  private static int callsAdmitted(Pipeline pipeline, String tenant, int calls) {
    int admitted = 0;
    for (int i = 0; i < calls; i++) {
      try {
        io.bulwark.core.context.Context.current()
            .withBaggage("tenant", tenant)
            .call(() -> pipeline.get(() -> "ok"));
        admitted++;
      } catch (PolicyRejectedException e) {
        assertThat(e.rejection()).isEqualTo(Rejection.RATE_LIMITED);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return admitted;
  }

  @Test
  void keyedRateLimiterConfigProblemsNameTheBadValue() {
    String yaml =
        """
        pipelines:
          api:
            keyed-rate-limiter:
              permits: 2
              key: tenant
              max-keys: 0
              max-wait: 1s
        """;
    List<String> problems = problemsOf(yaml, "r.yaml");
    assertThat(problems)
        .contains(
            "r.yaml:5: pipelines.api.keyed-rate-limiter.key: key must be"
                + " \"baggage:<entry>\" or \"criticality\", was \"tenant\"",
            "r.yaml:6: pipelines.api.keyed-rate-limiter.max-keys: maxKeys must be positive,"
                + " was 0");
    assertThat(problems)
        .anyMatch(
            p -> p.startsWith("r.yaml:7: pipelines.api.keyed-rate-limiter.max-wait: unknown key"));
  }

  @Test
  void aKeyedRateLimiterWithoutKeyFunctionCannotJoinAPipeline(VirtualScheduler scheduler) {
    KeyedRateLimiter<String> explicit =
        RateLimiter.keyed("per-client", RateLimiterConfig.builder().build(), scheduler, 10);
    assertThatThrownBy(() -> Pipeline.of(explicit))
        .hasMessageContaining(
            "keyed rate limiter 'per-client' has no key function to find each call's key");
  }

  @Test
  void reportsAMisconfiguredCompositionAtLoadTime() {
    String yaml =
        """
        pipelines:
          orders:
            deadline: 1s
            retry:
              max-attempts: 3
              initial-delay: 10ms
              max-delay: 10ms
            timeout: 500ms
        """;
    assertThatThrownBy(() -> RegistryConfig.parse(yaml, "resilience.yaml", LOADER))
        .hasMessageContaining(
            "resilience.yaml:3: pipelines.orders: pipeline 'orders' is"
                + " misconfigured: retry 'orders.retry' × timeout 'orders.timeout' can take PT1.52S");
  }

  @Test
  void hotReloadSwapsChangedPipelinesAndKeepsTheStateOfUnchangedOnes(
      @TempDir Path dir, VirtualScheduler scheduler) throws Exception {
    Path file = dir.resolve("resilience.yaml");
    Files.writeString(
        file,
        """
        pipelines:
          stable:
            circuit-breaker:
              minimum-calls: 10
          tuned:
            bulkhead:
              max-concurrent: 1
        """);
    try (ResilienceRegistry registry = ResilienceRegistry.load(file, LOADER, scheduler)) {
      Pipeline stable = registry.pipeline("stable");
      Pipeline tuned = registry.pipeline("tuned");
      CircuitBreaker breaker = (CircuitBreaker) stable.policies().getFirst();
      breaker.forceOpen();
      assertThatThrownBy(() -> stable.get(() -> "x")).isInstanceOf(PolicyRejectedException.class);

      Files.writeString(
          file,
          """
          pipelines:
            stable:
              circuit-breaker:
                minimum-calls: 10
            tuned:
              bulkhead:
                max-concurrent: 7
          """);
      assertThat(registry.reload()).isTrue();

      assertThat(stable.policies().getFirst()).isSameAs(breaker);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
      Bulkhead bulkhead = (Bulkhead) tuned.policies().getFirst();
      assertThat(bulkhead.config().maxConcurrent()).isEqualTo(7);
      assertThat(tuned.get(() -> "through the new snapshot")).isEqualTo("through the new snapshot");

      List<ConfigException> errors = new CopyOnWriteArrayList<>();
      registry.onReloadError(errors::add);
      Files.writeString(file, "pipelines:\n  tuned:\n    bulkhead:\n      max-concurrent: -1\n");
      assertThat(registry.reload()).isFalse();
      assertThat(errors).hasSize(1);
      assertThat(((Bulkhead) tuned.policies().getFirst()).config().maxConcurrent()).isEqualTo(7);
    }
  }

  @Test
  void aRemovedPipelineFailsClearly(VirtualScheduler scheduler) {
    ResilienceRegistry registry =
        ResilienceRegistry.of(
            RegistryConfig.parse(
                "pipelines:\n  a:\n    bulkhead:\n      max-concurrent: 1\n", "r.yaml", LOADER),
            scheduler);
    Pipeline a = registry.pipeline("a");
    registry.apply(RegistryConfig.parse("pipelines: {}\n", "r.yaml", LOADER));
    assertThatThrownBy(() -> a.get(() -> "x"))
        .hasMessage("pipeline 'a' was removed from the config");
    assertThatThrownBy(() -> registry.pipeline("b")).hasMessage("no pipeline \"b\", known: []");
  }

  @Test
  void aRegistryListenerSeesCallsOfPipelinesInForceAndAfterReload(VirtualScheduler scheduler) {
    String yaml = "pipelines:\n  a:\n    bulkhead:\n      max-concurrent: 1\n";
    ResilienceRegistry registry =
        ResilienceRegistry.of(RegistryConfig.parse(yaml, "r.yaml", LOADER), scheduler);
    List<String> ended = new CopyOnWriteArrayList<>();
    registry.addListener(
        new ResilienceListener() {
          @Override
          public void onCallEnded(
              String pipeline,
              long durationNanos,
              @org.jspecify.annotations.Nullable Throwable failure) {
            ended.add(pipeline);
          }
        });
    registry.pipeline("a").get(() -> "x");
    registry.apply(
        RegistryConfig.parse(
            yaml.replace("max-concurrent: 1", "max-concurrent: 2"), "r.yaml", LOADER));
    registry.pipeline("a").get(() -> "y");
    assertThat(ended).containsExactly("a", "a");
  }

  @Test
  void ignoreExceptionsFromYamlReachBreakerAndRetry(VirtualScheduler scheduler) {
    String yaml =
        """
        pipelines:
          a:
            retry: {max-attempts: 3, initial-delay: 0ms, ignore-exceptions: [java.io.FileNotFoundException]}
            circuit-breaker: {window-size: 4, minimum-calls: 4, ignore-exceptions: [java.io.FileNotFoundException]}
        """;
    Pipeline a =
        ResilienceRegistry.of(RegistryConfig.parse(yaml, "r.yaml", LOADER), scheduler)
            .pipeline("a");
    AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(
              () ->
                  a.call(
                      () -> {
                        calls.incrementAndGet();
                        throw new java.io.FileNotFoundException("gone");
                      }))
          .isInstanceOf(java.io.FileNotFoundException.class);
    }
    assertThat(calls.get()).as("never retried").isEqualTo(4);
    CircuitBreaker cb = (CircuitBreaker) a.policies().get(1);
    assertThat(cb.metrics().calls()).as("never recorded").isZero();
    String bad =
        """
        pipelines:
          a:
            retry: {max-attempts: 3, ignore-exceptions: [java.lang.String]}
            circuit-breaker: {ignore-exceptions: [java.io.IOException, com.example.Nope]}
        """;
    assertThat(problemsOf(bad, "r.yaml"))
        .contains(
            "r.yaml:3: pipelines.a.retry.ignore-exceptions: java.lang.String is not a Throwable",
            "r.yaml:4: pipelines.a.circuit-breaker.ignore-exceptions: no exception class"
                + " com.example.Nope on the class path");
  }

  /** Every problem {@code yaml} has, as {@code file:line: field: message}. */
  private static List<String> problemsOf(String yaml, String file) {
    try {
      RegistryConfig.parse(yaml, file, LOADER);
    } catch (ConfigException e) {
      return e.problems().stream().map(Object::toString).toList();
    }
    throw new AssertionError("the config has problems, but none was reported");
  }
}
