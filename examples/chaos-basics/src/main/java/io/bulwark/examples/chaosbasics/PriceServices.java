package io.bulwark.examples.chaosbasics;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.StaticDiscovery;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.Policy;
import io.bulwark.resilience.RegistryConfig;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.resilience.ResilienceRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Two small Bulwark services on 127.0.0.1:
 *
 * <ul>
 *   <li>{@code price} answers {@code GET /price/{sku}} with the item's price;
 *   <li>{@code front} answers {@code GET /quote/{sku}} by calling the price service.
 * </ul>
 *
 * <p>Resilience on: the front's client to {@code price} runs the {@code price} pipeline of {@code
 * chaosbasics/resilience.yaml} (retry within a retry budget, circuit breaker, timeout), and when
 * the call still fails (the breaker is open, the budget is spent, every attempt failed) the front
 * answers 200 with its last known list price, marked {@code "degraded": true}. Resilience off: one
 * attempt per call ({@link CallDecorator#none()}), and a failed call is a 502. Passive outlier
 * ejection is off in both modes (one price instance: nowhere else to send).
 *
 * <p>Both servers record into one {@link Telemetry} (endpoint RED of {@code GET /quote/{sku}} and
 * {@code GET /price/{sku}}, dependency RED of {@code price}), which an experiment scrapes.
 */
public final class PriceServices implements AutoCloseable {
  public static final String PRICE_SERVICE = "price";
  public static final String PRICE_ROUTE = "/price/{sku}";
  public static final String QUOTE_ROUTE = "/quote/{sku}";

  /** The front's endpoint as telemetry names it (method and route). */
  public static final String QUOTE_ENDPOINT = "GET " + QUOTE_ROUTE;

  /** The price service's endpoint as telemetry names it. */
  public static final String PRICE_ENDPOINT = "GET " + PRICE_ROUTE;

  static final String RESILIENCE = "chaosbasics/resilience.yaml";

  /**
   * The decision ({@code bulwark_decisions_total{component="price"}}) the price service records for
   * each answer it gives to a resent attempt: a call recovered by a retry.
   */
  public static final String RETRY_SERVED = "retry_served";

  static final long LIST_PRICE_CENTS = 1999;
  static final OutlierConfig NO_EJECTION =
      OutlierConfig.builder()
          .consecutiveFailures(Integer.MAX_VALUE)
          .failureRateThreshold(1)
          .minimumRequests(Integer.MAX_VALUE)
          .build();

  private final Vertx vertx = Vertx.vertx();
  private final SystemScheduler scheduler = SystemScheduler.create();
  private final StaticDiscovery discovery = StaticDiscovery.create();
  private final BulwarkServer price;
  private final BulwarkServer front;
  private final HttpClients clients;
  private final @Nullable ResilienceRegistry registry;
  private final Map<String, AtomicLong> failedCalls = new ConcurrentHashMap<>();

  private PriceServices(Telemetry telemetry, boolean resilience) {
    price =
        server("price", telemetry)
            .get(
                PRICE_ROUTE,
                r -> {
                  // an answer to a resend (bulwark-attempt: N > 0) is a call a retry recovered:
                  // the fault, decided per attempt, let this attempt through
                  String attempt = r.header(FaultSite.ATTEMPT_HEADER);
                  if (attempt != null && !attempt.equals("0")) {
                    telemetry.decisions().record(PRICE_SERVICE, RETRY_SERVED, "attempt " + attempt);
                  }
                  return Response.json(
                      Map.of("sku", r.pathParam("sku"), "cents", LIST_PRICE_CENTS));
                })
            .build()
            .start();
    discovery.update(PRICE_SERVICE, List.of(Endpoint.of("127.0.0.1", price.port())));
    HttpClients.Builder b =
        HttpClients.builder(discovery, scheduler).vertx(vertx).telemetry(telemetry);
    ClientConfig.Builder config =
        ClientConfig.builder(PRICE_SERVICE)
            .timeout(Duration.ofSeconds(1))
            // one instance: passive ejection would have nowhere else to send; it stays off in
            // both modes so the comparison is about the pipeline alone
            .outlier(NO_EJECTION);
    if (resilience) {
      ConfigLoader loader = ConfigLoader.withSystemEnv();
      registry =
          ResilienceRegistry.of(
              RegistryConfig.parse(resource(RESILIENCE), RESILIENCE, loader), scheduler);
      registry.addListener(retries(telemetry));
      b.client(PRICE_SERVICE, config.pipeline(PRICE_SERVICE).build()).pipelines(registry);
    } else {
      registry = null;
      b.client(PRICE_SERVICE, config.build()).decorators((name, c) -> CallDecorator.none());
    }
    clients = b.build();
    ServiceClient toPrice = clients.client(PRICE_SERVICE);
    front =
        server("front", telemetry)
            .get(
                QUOTE_ROUTE,
                r -> {
                  String sku = r.pathParam("sku");
                  try {
                    String body = toPrice.send(ClientRequest.get("/price/" + sku)).bodyAsString();
                    return Response.json(Map.of("sku", sku, "price", body, "degraded", false));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Response.text(503, "interrupted");
                  } catch (RuntimeException e) {
                    failedCalls
                        .computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong())
                        .incrementAndGet();
                    if (!resilience) {
                      return Response.text(502, "price service failed: " + e.getMessage());
                    }
                    return Response.json(
                        Map.of("sku", sku, "cents", LIST_PRICE_CENTS, "degraded", true));
                  }
                })
            .build()
            .start();
  }

  /**
   * Records the price pipeline's retries as telemetry decisions ({@code decision="retry"}, and
   * {@code retry_given_up}); its calls are already the client's dependency RED, so only the
   * decisions go through (not {@code ResilienceTelemetry}, which would count the calls twice).
   */
  private static ResilienceListener retries(Telemetry telemetry) {
    Decisions decisions = telemetry.decisions();
    return new ResilienceListener() {
      @Override
      public void onRetry(String retry, int nextAttempt, long delayNanos, Throwable failure) {
        decisions.retry(retry, nextAttempt, Duration.ofNanos(delayNanos), failure);
      }

      @Override
      public void onRetryGivenUp(String retry, int attempts, String reason, Throwable failure) {
        decisions.record(retry, "retry_given_up", reason);
      }
    };
  }

  /** Starts both services, recording into {@code telemetry}; resilience on or off. */
  public static PriceServices start(Telemetry telemetry, boolean resilience) {
    return new PriceServices(telemetry, resilience);
  }

  private BulwarkServer.Builder server(String service, Telemetry telemetry) {
    return BulwarkServer.builder()
        .vertx(vertx)
        .eventLoops(1)
        .telemetry(telemetry)
        .config(ServerConfig.builder().service(service).instance(service + "-1").build());
  }

  /** The front's port on 127.0.0.1. */
  public int frontPort() {
    return front.port();
  }

  /**
   * Requests either server has accepted and not yet finished. A finished request has been logged
   * and recorded in the telemetry, so a driver that waits for 0 knows a scrape will count it.
   */
  public int inFlight() {
    return front.inFlight() + price.inFlight();
  }

  /** The price service's port on 127.0.0.1. */
  public int pricePort() {
    return price.port();
  }

  /**
   * How many of the front's calls to the price service failed (each answered with the fallback
   * price when resilience is on, with a 502 when it is off).
   */
  public long failedCalls() {
    return failedCalls.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** The front's failed calls by the simple name of the failure they ended with. */
  public Map<String, Long> failedCallsByCause() {
    Map<String, Long> out = new TreeMap<>();
    failedCalls.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /**
   * The state of the price pipeline's circuit breaker ({@code CLOSED}, {@code OPEN}, {@code
   * HALF_OPEN}), or {@code none} with resilience off; an experiment can watch it.
   */
  public String breakerState() {
    if (registry == null) {
      return "none";
    }
    for (Policy p : registry.pipeline(PRICE_SERVICE).policies()) {
      if (p instanceof CircuitBreaker breaker) {
        return breaker.state().name();
      }
    }
    return "none";
  }

  /** The pipeline's retry budget and breaker, or null with resilience off. */
  public @Nullable ResilienceRegistry registry() {
    return registry;
  }

  private static String resource(String name) {
    try (InputStream in = PriceServices.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading resource " + name, e);
    }
  }

  @Override
  public void close() {
    front.shutdown();
    clients.close();
    if (registry != null) {
      registry.close();
    }
    price.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    scheduler.close();
  }
}
