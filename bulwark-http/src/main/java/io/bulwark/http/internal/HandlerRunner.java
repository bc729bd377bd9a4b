package io.bulwark.http.internal;

import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.RejectedException;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.resilience.Pipeline;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one admitted request's handler (on its virtual thread, or inline on the event loop for
 * non-blocking routes): arms the deadline timer, binds the context, goes through the inbound
 * pipeline, encodes the answer and maps every failure to an {@link HttpProblem}. Stateless apart
 * from its collaborators; thread-safe.
 */
final class HandlerRunner {
  private static final Logger LOG = LoggerFactory.getLogger(HandlerRunner.class);

  private final Scheduler scheduler;
  private final @Nullable Pipeline pipeline;
  private final Clock clock;
  private final Duration retryAfter;
  private final Predicate<RouteTable.Match> isSystem;

  HandlerRunner(
      Scheduler scheduler,
      @Nullable Pipeline pipeline,
      Clock clock,
      Duration retryAfter,
      Predicate<RouteTable.Match> isSystem) {
    this.scheduler = scheduler;
    this.pipeline = pipeline;
    this.clock = clock;
    this.retryAfter = retryAfter;
    this.isSystem = isSystem;
  }

  void run(Exchange ex, RouteTable.Match match, byte[] body) {
    boolean inline = match.onEventLoop();
    if (!inline) {
      ex.worker = Thread.currentThread();
      if (ex.engine().killed()) {
        Thread.currentThread().interrupt(); // killed before the connection's close could see us
      }
    }
    boolean dropped = false;
    try {
      Deadline deadline = ex.context.deadline();
      if (deadline != null && !isSystem.test(match)) {
        long left = deadline.remainingNanos();
        if (left <= 0) {
          ex.problem(deadlineProblem(), "deadline");
          dropped = true;
          return;
        }
        if (!inline) {
          ex.deadlineTimer = scheduler.schedule(left, () -> deadlinePassed(ex));
        }
      }
      Request request =
          new Request(
              ex.req.method().name(),
              ServerEngine.pathOf(ex.req),
              ex.req.query(),
              match.template(),
              match.params(),
              ex.req::getHeader,
              body,
              ex.context,
              Json.MAPPER);
      Callable<Response> handler =
          () -> {
            ex.handlerStarted = true;
            return match.handler().handle(request);
          };
      Pipeline p = pipeline == null || isSystem.test(match) ? null : pipeline;
      Response response = ex.context.call(p == null ? handler : () -> p.call(handler));
      byte[] bytes = encode(response);
      ex.releasePermit(clock.nanoTime() - ex.startNanos, response.status() >= 500);
      if (!ex.answer(response, bytes)) {
        dropped = true;
      } else {
        dropped = response.status() >= 500;
      }
    } catch (HttpProblem p) {
      ex.problem(p, p.status() >= 500 ? "error" : "rejected");
      dropped = p.status() >= 500;
    } catch (DeadlineExceededException e) {
      ex.problem(deadlineProblem(), "deadline");
      dropped = true;
    } catch (RejectedException e) {
      if (ex.handlerStarted) {
        ex.problem(
            HttpProblem.unavailable(e.reason(), "a dependency refused the call: " + e.reason(), 1),
            "error");
      } else {
        ex.problem(overloaded(ex), "shed");
      }
      dropped = true;
    } catch (InterruptedException e) {
      dropped = true;
      ex.problem(deadlineProblem(), "deadline");
    } catch (Exception | Error e) {
      LOG.warn(
          "handler for {} failed (correlation id {})",
          match.template(),
          ex.context.correlationId(),
          e);
      ex.problem(HttpProblem.of(500, "internal_error", "internal error"), "error");
      dropped = true;
    } finally {
      if (!inline) {
        ex.worker = null;
        Thread.interrupted();
      }
      ex.finish(dropped);
    }
  }

  private static byte[] encode(Response response) throws Exception {
    byte[] raw = response.rawBody();
    if (raw != null) {
      return raw;
    }
    return Json.MAPPER.writeValueAsBytes(response.jsonBody());
  }

  private void deadlinePassed(Exchange ex) {
    if (ex.problem(deadlineProblem(), "deadline")) {
      Thread worker = ex.worker;
      if (worker != null) {
        worker.interrupt();
      }
    }
  }

  HttpProblem overloaded(Exchange ex) {
    return HttpProblem.unavailable(
        "overloaded",
        "server is overloaded; " + ex.context.criticality() + " request shed",
        Math.max(1, retryAfter.toSeconds()));
  }

  static HttpProblem deadlineProblem() {
    return HttpProblem.of(504, "deadline_exceeded", "the request's deadline passed");
  }
}
