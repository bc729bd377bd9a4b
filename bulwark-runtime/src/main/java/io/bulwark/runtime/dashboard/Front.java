package io.bulwark.runtime.dashboard;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.http.ChaosRoutes;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.InstanceHandle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP side: static page and assets, the JSON API, the event stream and the write
 * actions, on its own Vert.x server (one event loop; handlers run on virtual threads).
 */
final class Front {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  static final int MAX_BODY = 64 * 1024;
  static final int MAX_STREAMS = 32;
  static final String ACTION_HEADER = "x-bulwark-dashboard";
  static final int MAX_SCALE = 64;

  /** Where the chart library is read from (the {@code org.webjars.npm:echarts} webjar). */
  static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final Set<String> SECTIONS =
      Set.of(
          "gateway",
          "system",
          "topology",
          "red",
          "breakers",
          "faults",
          "slos",
          "topics",
          "autoscaler",
          "sagas",
          "timeline");
  private static final Map<String, String> ASSETS =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/app.js", "app.js",
          "/app.css", "app.css",
          "/echarts.min.js", ECHARTS);
  private static final Pattern STATUS_PARAM = Pattern.compile("[A-Za-z_]+(,[A-Za-z_]+)*");
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none';"
          + " form-action 'none'";

  private final Engine engine;
  private final String host;
  private final int requestedPort;
  private final byte @Nullable [] token;
  private final Duration tick;
  private final boolean loopback;
  private final Map<String, byte[]> assets = new ConcurrentHashMap<>();
  private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final java.util.concurrent.atomic.AtomicReference<@Nullable HttpClient> operator =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * The client for {@code service}: over TLS with the runtime's operator identity for a service
   * under mutual TLS, else plain.
   */
  private HttpClient clientFor(String service) {
    if (!engine.runtime().scheme(service).equals("https")) {
      return http;
    }
    HttpClient c = operator.get();
    if (c == null) {
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
      engine.runtime().operatorTls().ifPresent(b::sslContext);
      HttpClient fresh = b.build();
      if (operator.compareAndSet(null, fresh)) {
        c = fresh;
      } else {
        fresh.close();
        c = java.util.Objects.requireNonNull(operator.get());
      }
    }
    return c;
  }

  private @Nullable Vertx vertx;
  private @Nullable HttpServer server;
  private @Nullable ScheduledTask task;
  private volatile int port = -1;

  Front(Engine engine, String host, int port, @Nullable String token, Duration tick) {
    this.engine = engine;
    this.host = host;
    this.requestedPort = port;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.tick = tick;
    this.loopback = Dashboard.isLoopbackHost(host);
  }

  void start() {
    if (vertx != null) {
      throw new IllegalStateException("the dashboard is already started");
    }
    Vertx v = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    vertx = v;
    HttpServer s =
        v.createHttpServer(
            new HttpServerOptions()
                .setHost(host)
                .setPort(requestedPort)
                .setIdleTimeout(120)
                .setHttp2ClearTextEnabled(
                    false) // HTTP/1.1 only: the event stream is chunked HTTP/1.1
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16 * 1024));
    s.requestHandler(this::onRequest);
    try {
      s.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      close();
      throw new IllegalStateException(
          "dashboard cannot listen on " + host + ":" + requestedPort + ": " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      close();
      throw new IllegalStateException("dashboard: listen on " + host + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("dashboard start interrupted", e);
    }
    server = s;
    port = s.actualPort();
    engine.tick();
    long n = tick.toNanos();
    task = engine.scheduler().scheduleAtFixedRate(n, n, this::tickAndPublish);
    LOG.info("dashboard of system {} at {}", engine.runtime().model().name(), url());
  }

  int port() {
    return port;
  }

  String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port + "/";
  }

  private void tickAndPublish() {
    try {
      engine.tick();
      publish();
    } catch (RuntimeException e) {
      LOG.warn("dashboard tick failed", e);
    }
  }

  /** Sends the latest snapshot to every open event stream (a stream that is behind skips one). */
  void publish() {
    if (streams.isEmpty()) {
      return;
    }
    String msg = "event: snapshot\ndata: " + engine.snapshot() + "\n\n";
    for (HttpServerResponse r : streams) {
      if (!r.writeQueueFull()) {
        r.write(msg);
      }
    }
  }

  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledTask t = task;
    if (t != null) {
      t.cancel();
    }
    for (HttpServerResponse r : streams) {
      try {
        r.end();
      } catch (RuntimeException ignored) {
        // the stream was already closed by the browser
      }
    }
    streams.clear();
    HttpServer s = server;
    Vertx v = vertx;
    try {
      if (s != null) {
        s.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      if (v != null) {
        v.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("dashboard: closing its server failed", e);
    }
    workers.shutdownNow();
    http.close();
    HttpClient secure = operator.getAndSet(null);
    if (secure != null) {
      secure.close();
    }
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.shutdownNow();
  }

  // ---------------------------------------------------------------- requests

  /** What a handler needs of a request, read on the event loop. */
  record Call(
      String method,
      String path,
      Map<String, String> query,
      @Nullable String authorization,
      @Nullable String action,
      String remote,
      String body) {}

  @SuppressWarnings("ArrayRecordComponent") // internal: built once, sent once, never compared
  record Reply(int status, String contentType, byte[] body) {
    static Reply json(int status, JsonNode node) {
      return new Reply(
          status, "application/json", node.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  private void onRequest(HttpServerRequest req) {
    HttpServerResponse res = req.response();
    if (closed.get()) {
      res.setStatusCode(503).end();
      return;
    }
    String method = req.method().name();
    String path = String.valueOf(req.path());
    String remote = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    Reply denied = guard(req, method, path, remote);
    if (denied != null) {
      send(res, denied);
      return;
    }
    if (method.equals("GET") && path.equals("/api/stream")) {
      stream(res);
      return;
    }
    String length = req.getHeader("content-length");
    if (length != null && parseLong(length) > MAX_BODY) {
      send(res, error(413, "body", "the body is over " + MAX_BODY + " bytes"));
      return;
    }
    Map<String, String> query = new LinkedHashMap<>();
    req.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
    String auth = req.getHeader("authorization");
    String action = req.getHeader(ACTION_HEADER);
    Buffer body = Buffer.buffer();
    boolean[] tooBig = {false};
    req.handler(
        chunk -> {
          if (body.length() + chunk.length() > MAX_BODY) {
            tooBig[0] = true;
          } else if (!tooBig[0]) {
            body.appendBuffer(chunk);
          }
        });
    req.exceptionHandler(e -> res.reset());
    req.endHandler(
        v -> {
          if (tooBig[0]) {
            send(res, error(413, "body", "the body is over " + MAX_BODY + " bytes"));
            return;
          }
          Call call =
              new Call(
                  method, path, query, auth, action, remote, body.toString(StandardCharsets.UTF_8));
          try {
            workers.execute(() -> send(res, handleSafely(call)));
          } catch (java.util.concurrent.RejectedExecutionException e) {
            res.setStatusCode(503).end();
          }
        });
  }

  /** Host check (no DNS rebinding onto loopback) and access rules; null when allowed. */
  private @Nullable Reply guard(HttpServerRequest req, String method, String path, String remote) {
    if (loopback) {
      String h = req.getHeader("host");
      if (h == null || !allowedHost(h)) {
        return error(421, "host", "host '" + h + "' is not this dashboard's loopback address");
      }
      if (!isLoopbackAddress(remote)) {
        return error(403, "remote", "the dashboard serves loopback callers only");
      }
    }
    boolean asset = method.equals("GET") && ASSETS.containsKey(path);
    if (asset) {
      return null;
    }
    boolean write = !method.equals("GET") && !method.equals("HEAD");
    byte[] expected = token;
    if (expected != null) {
      String header = req.getHeader("authorization");
      String given =
          header != null && header.startsWith("Bearer ")
              ? header.substring(7)
              : write ? "" : String.valueOf(req.getParam("token", ""));
      if (!MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
        return error(401, "authorization", "a valid dashboard token is required");
      }
      return null;
    }
    if (write && !"1".equals(req.getHeader(ACTION_HEADER))) {
      return error(
          403,
          ACTION_HEADER,
          "write actions need the header " + ACTION_HEADER + ": 1 (sent by the dashboard page)");
    }
    return null;
  }

  private boolean allowedHost(String h) {
    int p = port;
    return h.equals("127.0.0.1:" + p)
        || h.equals("localhost:" + p)
        || h.equals("[::1]:" + p)
        || (p == 80 && (h.equals("127.0.0.1") || h.equals("localhost")));
  }

  private static boolean isLoopbackAddress(String address) {
    if (address.isEmpty() || (!Character.isDigit(address.charAt(0)) && address.indexOf(':') < 0)) {
      return false;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private Reply handleSafely(Call call) {
    try {
      return handle(call);
    } catch (RuntimeException e) {
      LOG.warn("dashboard: {} {} failed", call.method(), call.path(), e);
      return error(500, "(server)", "internal error: " + e.getClass().getSimpleName());
    }
  }

  private Reply handle(Call c) {
    String p = c.path();
    if (c.method().equals("GET")) {
      String asset = ASSETS.get(p);
      if (asset != null) {
        return asset(asset);
      }
      if (p.equals("/api/snapshot")) {
        return Reply.json(200, engine.snapshot());
      }
      if (p.startsWith("/api/sagas/runs")) {
        return sagas(c, p.substring("/api/sagas/runs".length()));
      }
      if (p.startsWith("/api/") && SECTIONS.contains(p.substring(5))) {
        JsonNode section = engine.snapshot().get(p.substring(5));
        return Reply.json(200, section == null ? JsonNodeFactory.instance.objectNode() : section);
      }
      return error(404, "path", "no such page or API: " + p);
    }
    if (p.equals("/api/faults") && c.method().equals("POST")) {
      return startFault(c);
    }
    if (p.equals("/api/faults") && c.method().equals("DELETE")) {
      return clearFaults(c, null);
    }
    if (p.startsWith("/api/faults/") && c.method().equals("DELETE")) {
      return clearFaults(c, URLDecoder.decode(p.substring(12), StandardCharsets.UTF_8));
    }
    if (p.startsWith("/api/instances/") && c.method().equals("POST")) {
      String rest = p.substring(15);
      int slash = rest.lastIndexOf('/');
      if (slash <= 0) {
        return error(404, "path", "expected /api/instances/{id}/{kill|stop|restart}");
      }
      return instanceAction(
          c,
          URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8),
          rest.substring(slash + 1));
    }
    if (p.startsWith("/api/services/") && p.endsWith("/scale") && c.method().equals("POST")) {
      return scale(
          c,
          URLDecoder.decode(
              p.substring(14, p.length() - "/scale".length()), StandardCharsets.UTF_8));
    }
    return error(405, "method", c.method() + " " + p + " is not an action of the dashboard");
  }

  // ---------------------------------------------------------------- actions

  private Reply startFault(Call c) {
    Chaos chaos = engine.chaos();
    if (chaos == null) {
      return refusedAction(c, "fault start", 409, "chaos", "chaos is " + Engine.ABSENT);
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(c.body());
    } catch (JacksonException e) {
      return refusedAction(
          c, "fault start", 400, "(body)", "malformed JSON: " + e.getOriginalMessage());
    }
    if (body == null || body.isMissingNode()) {
      return refusedAction(c, "fault start", 400, "(body)", "a JSON object is required");
    }
    FaultSpec spec;
    try {
      spec = ChaosRoutes.parseFault(body);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      int colon = message.indexOf(": ");
      String field = colon > 0 ? message.substring(0, colon) : "(body)";
      return refusedAction(c, "fault start", 400, field, message);
    }
    ActiveFault started;
    try {
      started = chaos.start(spec);
    } catch (IllegalStateException | IllegalArgumentException e) {
      return refusedAction(c, "fault start", 409, "fault", String.valueOf(e.getMessage()));
    }
    logAction(c, "fault start", started.id() + " " + Engine.describe(started));
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("id", started.id());
    out.put("fault", started.spec().fault().type());
    out.put("expiresAt", started.expiresAt().toString());
    return Reply.json(201, out);
  }

  private Reply clearFaults(Call c, @Nullable String id) {
    Chaos chaos = engine.chaos();
    if (chaos == null) {
      return refusedAction(c, "fault clear", 409, "chaos", "chaos is " + Engine.ABSENT);
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    if (id == null) {
      int n = chaos.clearAll();
      logAction(c, "fault clear", "all (" + n + ")");
      out.put("cleared", n);
      return Reply.json(200, out);
    }
    if (!chaos.clear(id)) {
      return refusedAction(c, "fault clear", 404, "id", "no active fault '" + id + "'");
    }
    logAction(c, "fault clear", id);
    out.put("cleared", 1);
    return Reply.json(200, out);
  }

  private Reply instanceAction(Call c, String id, String action) {
    if (!List.of("kill", "stop", "restart").contains(action)) {
      return refusedAction(
          c,
          "instance " + action,
          400,
          "action",
          "unknown action '" + action + "'" + " (kill, stop or restart)");
    }
    InstanceHandle instance = null;
    for (InstanceHandle h : engine.runtime().instances()) {
      if (h.id().equals(id)) {
        instance = h;
      }
    }
    if (instance == null) {
      return refusedAction(
          c, "instance " + action, 400, "instance", "no instance '" + id + "' in this system");
    }
    logAction(c, "instance " + action, id);
    try {
      switch (action) {
        case "kill" -> instance.kill();
        case "stop" -> instance.stop();
        default -> instance.restart();
      }
    } catch (RuntimeException e) {
      engine.timeline().add("action", id, action + " failed: " + e.getMessage());
      return error(500, "instance", action + " of " + id + " failed: " + e.getMessage());
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("instance", id);
    out.put("action", action);
    out.put("state", instance.state().name());
    return Reply.json(200, out);
  }

  private Reply scale(Call c, String service) {
    boolean known =
        engine.runtime().model().services().stream().anyMatch(s -> s.name().equals(service));
    if (!known) {
      return refusedAction(
          c, "scale", 400, "service", "no service '" + service + "' in this system");
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(c.body());
    } catch (JacksonException e) {
      return refusedAction(c, "scale", 400, "(body)", "malformed JSON: " + e.getOriginalMessage());
    }
    JsonNode n = body == null ? null : body.get("instances");
    if (n == null || !n.canConvertToExactIntegral() || n.asLong() < 1 || n.asLong() > MAX_SCALE) {
      return refusedAction(
          c,
          "scale",
          400,
          "instances",
          "instances must be an integer 1.." + MAX_SCALE + ", was " + (n == null ? "missing" : n));
    }
    int to = n.asInt();
    logAction(c, "scale", service + " to " + to);
    try {
      engine.runtime().scale(service, to);
    } catch (RuntimeException e) {
      engine.timeline().add("action", service, "scale failed: " + e.getMessage());
      return error(500, "instances", "scale of " + service + " failed: " + e.getMessage());
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("service", service);
    out.put("instances", engine.runtime().instances(service).size());
    return Reply.json(200, out);
  }

  private void logAction(Call c, String what, String detail) {
    LOG.info("dashboard action from {}: {} {}", c.remote(), what, detail);
    engine.timeline().add("action", what, detail + " (from " + c.remote() + ")");
  }

  private Reply refusedAction(Call c, String what, int status, String field, String message) {
    LOG.info("dashboard action from {} refused: {}: {}", c.remote(), what, message);
    engine.timeline().add("action", what, "refused " + status + ": " + message);
    return error(status, field, message);
  }

  // ---------------------------------------------------------------- sagas

  private Reply sagas(Call c, String rest) {
    String service = engine.sagaService();
    if (service == null) {
      return error(404, "sagas", "sagas are " + Engine.ABSENT);
    }
    StringBuilder target = new StringBuilder(engine.sagaPrefix()).append("/runs");
    if (rest.isEmpty()) {
      StringBuilder q = new StringBuilder();
      String limit = c.query().getOrDefault("limit", "50");
      long n = parseLong(limit);
      if (n < 1 || n > 1000) {
        return error(400, "limit", "limit must be 1..1000, was '" + limit + "'");
      }
      q.append("limit=").append(n);
      String status = c.query().get("status");
      if (status != null && !status.isEmpty()) {
        if (!STATUS_PARAM.matcher(status).matches()) {
          return error(
              400, "status", "status must be names separated by commas, was '" + status + "'");
        }
        q.append("&status=").append(status);
      }
      target.append('?').append(q);
    } else {
      String id = URLDecoder.decode(rest.substring(1), StandardCharsets.UTF_8);
      if (!rest.startsWith("/")
          || id.isEmpty()
          || id.length() > 200
          || id.chars().anyMatch(ch -> ch < 0x20)) {
        return error(400, "id", "a saga run id of 1..200 printable characters is required");
      }
      target.append('/').append(URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    List<Endpoint> ready = engine.runtime().readyEndpoints(service);
    if (ready.isEmpty()) {
      return error(503, "sagas", "no instance of " + service + " is ready to answer");
    }
    Endpoint e = ready.get(0);
    URI uri =
        URI.create(engine.runtime().scheme(service) + "://" + e.host() + ":" + e.port() + target);
    try {
      HttpResponse<byte[]> r =
          clientFor(service)
              .send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(r.statusCode(), "application/json", r.body());
    } catch (IOException ex) {
      return error(502, "sagas", service + " did not answer: " + ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return error(503, "sagas", "interrupted");
    }
  }

  // ---------------------------------------------------------------- plumbing

  private void stream(HttpServerResponse res) {
    if (streams.size() >= MAX_STREAMS) {
      send(res, error(503, "stream", "too many open event streams (" + MAX_STREAMS + ")"));
      return;
    }
    res.setChunked(true);
    res.putHeader("content-type", "text/event-stream; charset=utf-8");
    res.putHeader("cache-control", "no-store");
    res.putHeader("x-content-type-options", "nosniff");
    streams.add(res);
    res.closeHandler(v -> streams.remove(res));
    res.exceptionHandler(v -> streams.remove(res));
    res.write("retry: 2000\n\nevent: snapshot\ndata: " + engine.snapshot() + "\n\n");
  }

  private Reply asset(String name) {
    byte[] bytes = assets.computeIfAbsent(name, Front::load);
    String type =
        name.endsWith(".html")
            ? "text/html; charset=utf-8"
            : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    return new Reply(200, type, bytes);
  }

  private static byte[] load(String name) {
    try (InputStream in =
        name.startsWith("META-INF/")
            ? Front.class.getClassLoader().getResourceAsStream(name)
            : Front.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing from the jar: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void send(HttpServerResponse res, Reply r) {
    if (res.ended() || res.closed()) {
      return;
    }
    res.setStatusCode(r.status());
    res.putHeader("content-type", r.contentType());
    res.putHeader("cache-control", "no-store");
    res.putHeader("x-content-type-options", "nosniff");
    res.putHeader("x-frame-options", "DENY");
    res.putHeader("referrer-policy", "no-referrer");
    res.putHeader("content-security-policy", CSP);
    res.end(Buffer.buffer(r.body()));
  }

  static Reply error(int status, String field, String message) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("status", status);
    n.put("field", field);
    n.put("message", message);
    return Reply.json(status, n);
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }
}
