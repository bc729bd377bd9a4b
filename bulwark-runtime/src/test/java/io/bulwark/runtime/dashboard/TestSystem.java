package io.bulwark.runtime.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.Response;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.ServiceFactory;
import io.bulwark.runtime.ServiceInstance;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.telemetry.RedSnapshot;
import io.bulwark.telemetry.slo.BurnRateAlert;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.telemetry.slo.SloEvaluator;
import io.bulwark.telemetry.store.StoreScraper;
import io.bulwark.telemetry.store.TimeSeriesStore;
import io.bulwark.test.kit.TimeDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small real system for the dashboard's tests: {@code backend} (2 instances: {@code /ping} 200,
 * {@code /fail} 500), {@code front} (calls backend over a Bulwark client: {@code /call} and {@code
 * /callfail}) and {@code orders} (serves saga runs in the visibility routes' JSON shape under
 * {@code /sagas}). Front's client telemetry is scraped into a store that a real SLO evaluator
 * reads.
 */
final class TestSystem implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final SystemRuntime runtime;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final Map<String, ResilienceListener> listeners = new ConcurrentHashMap<>();
  final Map<String, StoreScraper> scrapers = new ConcurrentHashMap<>();
  final TimeSeriesStore store =
      TimeSeriesStore.builder()
          .resolution(Duration.ofSeconds(1))
          .retention(Duration.ofHours(2))
          .build();
  final SloEvaluator slos;

  private TestSystem(Path root) {
    SystemModel model =
        SystemModel.builder("dash-test")
            .service(ServiceSpec.builder("backend", backend()).instances(2).build())
            .service(ServiceSpec.builder("front", front()).dependsOn("backend").build())
            .service(ServiceSpec.builder("orders", orders()).build())
            .build();
    this.runtime = SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build());
    this.slos =
        new SloEvaluator(
            store,
            List.of(
                Slo.builder("front-calls-backend")
                    .sli(Sli.dependencyAvailability("backend"))
                    .objective(0.99)
                    .window(Duration.ofHours(1))
                    .alerts(
                        List.of(
                            new BurnRateAlert(
                                BurnRateAlert.Severity.PAGE,
                                2,
                                Duration.ofMinutes(10),
                                Duration.ofMinutes(1))))
                    .minimumEvents(5)
                    .build()),
            io.bulwark.core.time.Clock.system(),
            e -> {});
  }

  static TestSystem start(Path root) {
    TestSystem s = new TestSystem(root);
    s.runtime.start();
    return s;
  }

  private static ServiceFactory backend() {
    return ctx -> {
      ctx.server()
          .get("/ping", req -> Response.text(200, "pong from " + ctx.instanceId()))
          .get("/fail", req -> Response.text(500, "failed on demand"));
      return ServiceInstance.none();
    };
  }

  private ServiceFactory front() {
    return ctx -> {
      listeners.put(ctx.instanceId(), ctx.resilienceListener());
      scrapers.put(ctx.instanceId(), new StoreScraper(ctx.telemetry(), store));
      HttpClients clients =
          HttpClients.builder(ctx.discovery(), ctx.scheduler())
              .telemetry(ctx.telemetry())
              .client(
                  "backend", ClientConfig.builder("backend").timeout(Duration.ofSeconds(2)).build())
              .decorators((name, config) -> CallDecorator.none())
              .build();
      ServiceClient backend = clients.client("backend");
      ctx.server()
          .get("/call", req -> relay(backend, "/ping"))
          .get("/callfail", req -> relay(backend, "/fail"));
      return ServiceInstance.of(clients);
    };
  }

  private static Response relay(ServiceClient backend, String path) {
    try {
      var r = backend.get(path);
      return Response.text(r.status(), new String(r.body(), StandardCharsets.UTF_8));
    } catch (HttpCallException e) {
      return Response.text(502, "backend: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Response.text(503, "interrupted");
    }
  }

  private static ServiceFactory orders() {
    String runs =
        """
        {"runs":[{"runId":"checkout-1","workflow":"checkout","version":1,"status":"COMPENSATED",
        "cause":"payment declined","createdAt":"2026-12-05T06:00:00Z","updatedAt":"2026-12-05T06:00:01Z"},
        {"runId":"checkout-2","workflow":"checkout","version":1,"status":"COMPLETED","cause":null,
        "createdAt":"2026-12-05T06:00:02Z","updatedAt":"2026-12-05T06:00:03Z"}],"count":2,"limit":50}
        """;
    String run =
        """
        {"runId":"checkout-1","workflow":"checkout","version":1,"status":"COMPENSATED",
        "cause":"payment declined","steps":[
        {"index":0,"name":"reserve-stock","kind":"step","status":"COMPENSATED","error":null,
         "attempts":1,"compensationAttempts":1},
        {"index":1,"name":"charge-card","kind":"step","status":"FAILED","error":"payment declined",
         "attempts":3,"compensationAttempts":0}],
        "timeline":[{"at":"2026-12-05T06:00:00Z","kind":"step-failed","detail":"charge-card: payment declined"},
        {"at":"2026-12-05T06:00:01Z","kind":"compensated","detail":"reserve-stock"}]}
        """;
    return ctx -> {
      ctx.server()
          .get(
              "/sagas/runs",
              req ->
                  Response.bytes(
                      200,
                      "application/json",
                      runs.replace("\"limit\":50", "\"limit\":" + req.query("limit"))
                          .getBytes(StandardCharsets.UTF_8)))
          .get(
              "/sagas/runs/{id}",
              req ->
                  req.pathParam("id").equals("checkout-1")
                      ? Response.bytes(
                          200, "application/json", run.getBytes(StandardCharsets.UTF_8))
                      : Response.json(
                          404, Map.of("status", 404, "message", "no run " + req.pathParam("id"))));
      return ServiceInstance.none();
    };
  }

  /** {@code n} calls to front's {@code path}; returns how many answered 200. */
  int calls(int n, String path) throws IOException, InterruptedException {
    int ok = 0;
    int port = runtime.instance("front-1").port();
    for (int i = 0; i < n; i++) {
      if (send("GET", "http://127.0.0.1:" + port + path, null, Map.of()).statusCode() == 200) {
        ok++;
      }
    }
    return ok;
  }

  /**
   * {@link #calls}, then waits until front and backend have counted the {@code n} requests in their
   * endpoint RED (each call to front makes one to backend). A server counts a request when its
   * exchange ends, just after the answer is written, so the client can hold the answer first; a
   * tick taken then would miss it.
   */
  int callsCounted(int n, String path) throws IOException, InterruptedException {
    long front = answered("front");
    long backend = answered("backend");
    int ok = calls(n, path);
    boolean counted =
        TimeDriver.real(Scheduler.system())
            .passUntil(
                Duration.ofSeconds(10),
                () -> answered("front") >= front + n && answered("backend") >= backend + n);
    if (!counted) {
      throw new AssertionError(
          n
              + " calls to "
              + path
              + " not counted within 10 s: front "
              + (answered("front") - front)
              + ", backend "
              + (answered("backend") - backend));
    }
    return ok;
  }

  /** Requests the instances of {@code service} have counted in their endpoint RED so far. */
  private long answered(String service) {
    long total = 0;
    for (InstanceHandle h : runtime.instances(service)) {
      for (RedSnapshot r : h.redSnapshots("endpoint")) {
        total += r.total();
      }
    }
    return total;
  }

  /** Reports a breaker transition from front-1 (what its resilience pipeline would). */
  void breaker(String name, CircuitBreaker.State from, CircuitBreaker.State to, String reason) {
    listeners
        .get("front-1")
        .onStateTransition(
            name, new CircuitBreaker.Transition(from, to, reason, System.nanoTime()));
  }

  /** Scrapes front's telemetry into the store and evaluates the SLOs. */
  void evaluate() {
    scrapers.values().forEach(StoreScraper::scrapeNow);
    slos.evaluate();
  }

  HttpResponse<String> send(String method, String url, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode getJson(Dashboard d, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = send("GET", d.url() + path.substring(1), null, Map.of());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** A write action as the page sends it. */
  HttpResponse<String> action(Dashboard d, String method, String path, String body)
      throws IOException, InterruptedException {
    return send(
        method,
        d.url() + path.substring(1),
        body,
        Map.of("x-bulwark-dashboard", "1", "content-type", "application/json"));
  }

  @Override
  public void close() {
    runtime.close();
    http.close();
  }
}
