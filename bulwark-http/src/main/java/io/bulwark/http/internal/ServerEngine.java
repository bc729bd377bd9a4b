package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.Admission;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.ServerListener;
import io.bulwark.resilience.Pipeline;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The server's machinery behind {@link io.bulwark.http.BulwarkServer}: Vert.x server instances (one
 * per event loop, sharing the port, see {@link Listening}), the filter chain on the event loop and
 * the hand-off to a virtual thread per request. See BulwarkServer for the guarantees.
 *
 * <p>The chain, in this order (each stage a class with one job; the first to end a request stops
 * it):
 *
 * <ol>
 *   <li>{@link WireStage}: killed server, connection limits, HTTP/1.x framing;
 *   <li>{@link HealthStage}: {@code /health/live} and {@code /health/ready};
 *   <li>{@link RouteStage}: the route (HEAD falls back to GET), system or not;
 *   <li>{@link ContextStage}: context from the headers, correlation id, the server span;
 *   <li>{@link AuthorizationStage}: 403 for a caller the authorization policy does not allow (only
 *       with a policy);
 *   <li>{@link UnroutedStage}: 404 / 405 for a request without a route;
 *   <li>{@link DrainStage}: counted in flight; 503 once draining;
 *   <li>{@link DeadlineStage}: 504 for a deadline already passed;
 *   <li>{@link AdmissionStage}: the route's admission, then the server's; 503 when shed;
 *   <li>{@link BodyStage}: the body, up to {@code maxBodySize} (413 beyond);
 *   <li>{@link Dispatcher} → {@link HandlerRunner}: deadline timer, handler through the pipeline,
 *       answer or failure mapping, then the access log.
 * </ol>
 *
 * Requests the HTTP decoder refused are answered by {@link DecoderErrors}; shutdown and kill are
 * {@link Shutdown}'s. The chain is built once; a request allocates its {@link Exchange} and what
 * each stage's Javadoc names, no chain of lambdas.
 */
public final class ServerEngine {

  /** What the server serves: its routes, which of them are system routes, shedding, pipeline. */
  public record Routing(
      RouteTable routes,
      List<String> systemRoutes,
      Admission admission,
      @Nullable Pipeline pipeline) {}

  /** Where the server reports: its listener (already composed) and tracing. */
  public record Observation(ServerListener listener, Tracing tracing) {}

  /**
   * What the server runs on: its clock, its scheduler and Vert.x (null: the server owns one, closed
   * with it) and the number of event loops.
   */
  public record Platform(
      Clock clock, @Nullable Scheduler scheduler, @Nullable Vertx vertx, int eventLoops) {}

  private final ServerState state;
  private final BooleanSupplier readiness;
  private final WireStage wire;
  private final HealthStage health;
  private final Stage[] chain;
  private final BodyStage body;
  private final DecoderErrors decoderErrors;
  private final Listening listening;
  private final Shutdown shutdown;

  public ServerEngine(
      ServerConfig config,
      Routing routing,
      Observation observation,
      Platform platform,
      BooleanSupplier readiness) {
    this.readiness = readiness;
    Clock clock = platform.clock();
    this.state = new ServerState(clock, new ConnectionGuard(config), observation.listener());
    Scheduler given = platform.scheduler();
    Scheduler scheduler = given == null ? Scheduler.system() : given;
    Vertx shared = platform.vertx();
    Vertx vertx =
        shared == null
            ? Vertx.vertx(new VertxOptions().setEventLoopPoolSize(platform.eventLoops()))
            : shared;
    this.wire = new WireStage(state);
    this.health = new HealthStage(state, this::isReady);
    this.chain = chain(config, routing, observation.tracing(), clock);
    this.body = bodyAndHandler(config, routing, scheduler);
    this.decoderErrors = new DecoderErrors(state, config);
    this.listening = new Listening(config, state, vertx, scheduler, platform.eventLoops());
    SystemScheduler ownedScheduler =
        given == null && scheduler instanceof SystemScheduler s ? s : null;
    this.shutdown =
        new Shutdown(
            state,
            listening.servers(),
            config.drainBudget(),
            new Shutdown.Owned(shared == null ? vertx : null, ownedScheduler));
  }

  /** The body stage and, behind it, the handler's side of the chain. */
  private static BodyStage bodyAndHandler(
      ServerConfig config, Routing routing, Scheduler scheduler) {
    HandlerRunner runner =
        new HandlerRunner(
            new DeadlineTimer(scheduler),
            new HandlerCall(routing.pipeline()),
            new Failures(config.retryAfter()),
            new ServerFaults(config.service(), config.instance()));
    return new BodyStage(config.maxBodySize(), new Dispatcher(runner));
  }

  private Stage[] chain(ServerConfig config, Routing routing, Tracing tracing, Clock clock) {
    ContextHeaders.Builder headers =
        ContextHeaders.builder().clock(clock).maxDeadline(config.maxDeadline());
    if (config.defaultDeadline() != null) {
      headers.defaultDeadline(config.defaultDeadline());
    }
    java.util.List<Stage> stages = new java.util.ArrayList<>();
    stages.add(new RouteStage(routing.routes(), routing.systemRoutes()));
    stages.add(new ContextStage(headers.build(), tracing));
    io.bulwark.http.AuthorizationPolicy policy = config.authorization();
    if (policy != null) {
      policy.checkRoutes(routing.routes().templates());
      stages.add(new AuthorizationStage(policy));
    }
    stages.add(new UnroutedStage(routing.routes()));
    stages.add(new DrainStage(state));
    stages.add(new DeadlineStage());
    stages.add(new AdmissionStage(routing.admission(), config.retryAfter()));
    return stages.toArray(Stage[]::new);
  }

  /** Binds and starts serving (once; a concurrent call waits for the first, holding no lock). */
  public void start() {
    listening.start(this::handle, decoderErrors::answer);
  }

  public int port() {
    return listening.port();
  }

  public int inFlight() {
    return state.inFlight();
  }

  public boolean isReady() {
    return listening.started() && !state.draining() && !state.killed() && readiness.getAsBoolean();
  }

  private void handle(HttpServerRequest req) {
    long start = state.clock.nanoTime();
    if (!wire.pass(req, start) || health.answers(req)) {
      return;
    }
    Exchange ex = new Exchange(state, req, start, Context.root());
    // one connection, one framing: a chunked HTTP/1.1 body may have come with a content-length
    // that the decoder dropped, so the connection is not trusted for a next request (RFC 9112
    // §6.1: close after answering)
    ex.closeAfterAnswer = state.closesAfterAnswer(req);
    for (Stage stage : chain) {
      if (!stage.pass(ex)) {
        return;
      }
    }
    body.read(ex);
  }

  /** Graceful shutdown (see {@link Shutdown#drain()}); idempotent, holds no lock while waiting. */
  public int shutdown() {
    listening.stopTls();
    return shutdown.drain();
  }

  /** Checks the TLS files now; what changed, or null. */
  public @Nullable String reloadTls() {
    return listening.reloadTls();
  }

  /** Crash (see {@link Shutdown#kill()}); never waits for a drain in progress. */
  public int kill() {
    listening.stopTls();
    return shutdown.kill();
  }
}
