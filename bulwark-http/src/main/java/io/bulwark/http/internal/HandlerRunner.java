package io.bulwark.http.internal;

import io.bulwark.http.RequestOutcome;
import io.bulwark.http.Response;

/**
 * Runs one admitted request's handler (on its virtual thread, or inline on the event loop for
 * non-blocking routes), in this order: the {@link DeadlineTimer} is armed, the {@link ServerFaults}
 * injection point runs, the {@link HandlerCall} runs the handler with the context bound and through
 * the inbound pipeline, the answer is encoded and written, and {@link Failures} maps anything
 * thrown to an {@link io.bulwark.http.HttpProblem}. The exchange is finished (permits released, log
 * written) whatever happens. Stateless apart from its collaborators; thread-safe.
 */
final class HandlerRunner {
  private final DeadlineTimer deadlines;
  private final HandlerCall call;
  private final Failures failures;
  private final ServerFaults faults;

  HandlerRunner(DeadlineTimer deadlines, HandlerCall call, Failures failures, ServerFaults faults) {
    this.deadlines = deadlines;
    this.call = call;
    this.failures = failures;
    this.faults = faults;
  }

  void run(Exchange ex, RouteTable.Match match, byte[] body) {
    boolean inline = match.onEventLoop();
    if (!inline) {
      ex.worker = Thread.currentThread();
      if (ex.killed()) {
        Thread.currentThread().interrupt(); // killed before the connection's close could see us
      }
    }
    boolean dropped = true;
    boolean deferred = false;
    try {
      if (deadlines.arm(ex, inline)) {
        Response response = faults.invoke(call, ex, match, body, this);
        deferred = response == ServerFaults.DEFERRED;
        if (!deferred) {
          dropped = answer(ex, response);
        }
      }
    } catch (Exception | Error e) {
      dropped = failures.answer(ex, match, e);
    } finally {
      if (!inline) {
        ex.worker = null;
        Thread.interrupted();
      }
      if (!deferred) {
        ex.finish(dropped);
      }
    }
  }

  /**
   * Runs the handler of a non-blocking route whose start a chaos delay deferred, on the route's
   * event loop once the delay passed; answers and finishes the exchange.
   */
  void resume(Exchange ex, RouteTable.Match match, byte[] body) {
    boolean dropped = true;
    try {
      dropped = answer(ex, call.invoke(ex, match, body));
    } catch (Exception | Error e) {
      dropped = failures.answer(ex, match, e);
    } finally {
      ex.finish(dropped);
    }
  }

  /**
   * Ends a deferred non-blocking request without its handler (a chaos blackhole's end, or its
   * deadline passed while deferred), as if the handler had thrown {@code e}.
   */
  void endDeferred(Exchange ex, RouteTable.Match match, RuntimeException e) {
    boolean dropped = true;
    try {
      dropped = failures.answer(ex, match, e);
    } finally {
      ex.finish(dropped);
    }
  }

  /**
   * The handler thread for {@code ex} could not be started ({@code e}, e.g. out of memory): the
   * request is answered as a handler failure would be and the exchange ends.
   */
  void notStarted(Exchange ex, Throwable e) {
    boolean dropped = true;
    try {
      dropped = failures.answer(ex, java.util.Objects.requireNonNull(ex.match, "routed"), e);
    } finally {
      ex.finish(dropped);
    }
  }

  /** Encodes and writes the handler's answer; returns whether the request counts as dropped. */
  private static boolean answer(Exchange ex, Response response) throws Exception {
    byte[] bytes = encode(response);
    boolean failed = response.status() >= 500;
    ex.releasePermits(failed);
    return !ex.answer(response, bytes) || failed;
  }

  private static byte[] encode(Response response) throws Exception {
    byte[] raw = response.rawBody();
    if (raw != null) {
      return raw;
    }
    return Json.MAPPER.writeValueAsBytes(response.jsonBody());
  }

  static RequestOutcome outcomeOf(int status) {
    return status >= 500 ? RequestOutcome.ERROR : RequestOutcome.REJECTED;
  }
}
