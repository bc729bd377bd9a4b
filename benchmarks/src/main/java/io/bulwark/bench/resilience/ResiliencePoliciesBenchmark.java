package io.bulwark.bench.resilience;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.resilience.Bulkhead;
import io.bulwark.resilience.BulkheadConfig;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.Pipeline;
import io.bulwark.resilience.RateLimiter;
import io.bulwark.resilience.RateLimiterConfig;
import io.bulwark.resilience.Retry;
import io.bulwark.resilience.RetryConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The success path of each policy alone and of a 4-policy pipeline (retry → circuit breaker → rate
 * limiter → bulkhead) for Bulwark, Resilience4j and Failsafe, configured alike: a count-based
 * breaker of the last 100 calls (50% failure threshold), 3 retry attempts, a rate limit that never
 * binds (10^9 per second, no wait), a bulkhead of 100 that never waits. The state is shared by all
 * benchmark threads, as a service's policies are. Every side builds its decorated call once and
 * reuses it, as a service would: Resilience4j's decorated suppliers, Failsafe's executors and
 * Bulwark's pipelines (the retry row is {@code Pipeline.of(retry)} against {@code
 * Retry.decorateSupplier}). The subclasses fix the thread count, so one JMH run (one hold of the
 * machine-wide JMH lock) measures both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class ResiliencePoliciesBenchmark {
  private static final Supplier<String> CALL = () -> "ok";
  // Failsafe takes its own functional type; one shared instance, so no side allocates per call
  private static final CheckedSupplier<String> CHECKED_CALL = () -> "ok";
  private static final int RATE = 1_000_000_000;

  private SystemScheduler scheduler;

  private Pipeline bulwarkBreaker;
  private Pipeline bulwarkRetry;
  private Pipeline bulwarkLimiter;
  private Pipeline bulwarkPipeline;

  private Supplier<String> r4jBreaker;
  private Supplier<String> r4jRetry;
  private Supplier<String> r4jLimiter;
  private Supplier<String> r4jPipeline;

  private FailsafeExecutor<String> failsafeBreaker;
  private FailsafeExecutor<String> failsafeRetry;
  private FailsafeExecutor<String> failsafeLimiter;
  private FailsafeExecutor<String> failsafePipeline;

  @Setup
  public void setUp() {
    scheduler = SystemScheduler.create();
    bulwarkBreaker = Pipeline.of(bulwarkBreaker("cb"));
    bulwarkRetry = Pipeline.of(bulwarkRetry("retry"));
    bulwarkLimiter = Pipeline.of(bulwarkLimiter("rl"));
    bulwarkPipeline =
        Pipeline.of(
            bulwarkRetry("p-retry"),
            bulwarkBreaker("p-cb"),
            bulwarkLimiter("p-rl"),
            Bulkhead.of(
                "p-bh",
                BulkheadConfig.builder().maxConcurrent(100).maxWait(Duration.ZERO).build(),
                scheduler));

    r4jBreaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
            r4jBreaker("cb"), CALL);
    r4jRetry = io.github.resilience4j.retry.Retry.decorateSupplier(r4jRetry("retry"), CALL);
    r4jLimiter =
        io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(r4jLimiter("rl"), CALL);
    Supplier<String> bulkheaded =
        io.github.resilience4j.bulkhead.Bulkhead.decorateSupplier(
            io.github.resilience4j.bulkhead.Bulkhead.of(
                "p-bh",
                io.github.resilience4j.bulkhead.BulkheadConfig.custom()
                    .maxConcurrentCalls(100)
                    .maxWaitDuration(Duration.ZERO)
                    .build()),
            CALL);
    Supplier<String> limited =
        io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(
            r4jLimiter("p-rl"), bulkheaded);
    Supplier<String> broken =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
            r4jBreaker("p-cb"), limited);
    r4jPipeline = io.github.resilience4j.retry.Retry.decorateSupplier(r4jRetry("p-retry"), broken);

    failsafeBreaker = Failsafe.with(failsafeBreaker());
    failsafeRetry = Failsafe.with(failsafeRetry());
    failsafeLimiter = Failsafe.with(failsafeLimiter());
    failsafePipeline =
        Failsafe.with(
            failsafeRetry(),
            failsafeBreaker(),
            failsafeLimiter(),
            dev.failsafe.Bulkhead.<String>builder(100).withMaxWaitTime(Duration.ZERO).build());
  }

  @TearDown
  public void tearDown() {
    scheduler.close();
  }

  private static CircuitBreaker bulwarkBreaker(String name) {
    return CircuitBreaker.of(
        name,
        CircuitBreakerConfig.builder()
            .countBasedWindow(100)
            .minimumCalls(100)
            .failureRateThreshold(50)
            .build());
  }

  private Retry bulwarkRetry(String name) {
    return Retry.of(
        name,
        RetryConfig.builder().maxAttempts(3).fixedDelay(Duration.ofMillis(500)).build(),
        scheduler);
  }

  private RateLimiter bulwarkLimiter(String name) {
    return RateLimiter.of(
        name,
        RateLimiterConfig.builder()
            .rate(RATE, Duration.ofSeconds(1))
            .maxWait(Duration.ZERO)
            .build(),
        scheduler);
  }

  private static io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker(String name) {
    return io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
        name,
        io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
            .slidingWindowType(
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType
                    .COUNT_BASED)
            .slidingWindowSize(100)
            .minimumNumberOfCalls(100)
            .failureRateThreshold(50)
            .build());
  }

  private static io.github.resilience4j.retry.Retry r4jRetry(String name) {
    return io.github.resilience4j.retry.Retry.of(
        name,
        io.github.resilience4j.retry.RetryConfig.custom()
            .maxAttempts(3)
            .waitDuration(Duration.ofMillis(500))
            .build());
  }

  private static io.github.resilience4j.ratelimiter.RateLimiter r4jLimiter(String name) {
    return io.github.resilience4j.ratelimiter.RateLimiter.of(
        name,
        io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
            .limitForPeriod(RATE)
            .limitRefreshPeriod(Duration.ofSeconds(1))
            .timeoutDuration(Duration.ZERO)
            .build());
  }

  private static dev.failsafe.CircuitBreaker<String> failsafeBreaker() {
    return dev.failsafe.CircuitBreaker.<String>builder()
        .withFailureRateThreshold(50, 100, Duration.ofMinutes(1))
        .build();
  }

  private static dev.failsafe.RetryPolicy<String> failsafeRetry() {
    return dev.failsafe.RetryPolicy.<String>builder()
        .withMaxAttempts(3)
        .withDelay(Duration.ofMillis(500))
        .build();
  }

  private static dev.failsafe.RateLimiter<String> failsafeLimiter() {
    return dev.failsafe.RateLimiter.<String>burstyBuilder(RATE, Duration.ofSeconds(1))
        .withMaxWaitTime(Duration.ZERO)
        .build();
  }

  @Benchmark
  public String circuitBreaker_bulwark() {
    return bulwarkBreaker.get(CALL);
  }

  @Benchmark
  public String circuitBreaker_resilience4j() {
    return r4jBreaker.get();
  }

  @Benchmark
  public String circuitBreaker_failsafe() {
    return failsafeBreaker.get(CHECKED_CALL);
  }

  @Benchmark
  public String retry_bulwark() {
    return bulwarkRetry.get(CALL);
  }

  @Benchmark
  public String retry_resilience4j() {
    return r4jRetry.get();
  }

  @Benchmark
  public String retry_failsafe() {
    return failsafeRetry.get(CHECKED_CALL);
  }

  @Benchmark
  public String rateLimiter_bulwark() {
    return bulwarkLimiter.get(CALL);
  }

  @Benchmark
  public String rateLimiter_resilience4j() {
    return r4jLimiter.get();
  }

  @Benchmark
  public String rateLimiter_failsafe() {
    return failsafeLimiter.get(CHECKED_CALL);
  }

  @Benchmark
  public String pipeline4_bulwark() {
    return bulwarkPipeline.get(CALL);
  }

  @Benchmark
  public String pipeline4_resilience4j() {
    return r4jPipeline.get();
  }

  @Benchmark
  public String pipeline4_failsafe() {
    return failsafePipeline.get(CHECKED_CALL);
  }
}
