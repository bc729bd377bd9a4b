package io.bulwark.http.internal;

import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjectedException;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.Response;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The server's fault injection point, before the handler: asks the installed {@link FaultInjector}
 * (with the request's context bound, so that its cohort and request id count) and applies the
 * answer. On a handler thread a delay is waited out and a blackhole hangs until the request's
 * deadline (the deadline timer answers 504) or the fault's end. On the event loop of a non-blocking
 * route, which must never block, both are timers on the fault's scheduler instead: a delay runs the
 * handler on the loop once it passes (504 if the request's deadline passes first), a blackhole
 * never runs the handler and answers 504 when the request's deadline passes (500 when the fault's
 * maximum hang ends first) — the caller sees what it sees on a blocking route. A shutdown cancels
 * such a timer and answers 503 {@code shutting_down} at once ({@link DeferredWait}). An error
 * status is answered instead of calling the handler; an exception is thrown as if the handler had
 * thrown it; a slow or truncated body is applied when the handler's answer is written ({@link
 * Exchange#bodyFault}). System routes and the chaos admin routes ({@link
 * FaultPoints#EXEMPT_ROUTE_PREFIX}) are never faulted.
 */
final class ServerFaults {
  /**
   * Returned instead of an answer when a fault deferred a non-blocking route's work to a timer: the
   * request is still in flight, and the timer's task answers and finishes it.
   */
  static final Response DEFERRED = Response.json(599, Map.of());

  private final String service;
  private final String instance;

  ServerFaults(String service, String instance) {
    this.service = service;
    this.instance = instance;
  }

  /**
   * The handler's answer, through the fault decided for this request (if any), or {@link #DEFERRED}
   * when {@code runner} will answer later (a delay or blackhole on a non-blocking route).
   */
  Response invoke(
      HandlerCall call, Exchange ex, RouteTable.Match match, byte[] body, HandlerRunner runner)
      throws Exception {
    FaultInjector faults = ex.system ? null : FaultPoints.injector();
    if (faults == null || match.template().startsWith(FaultPoints.EXEMPT_ROUTE_PREFIX)) {
      return call.invoke(ex, match, body);
    }
    FaultSite site =
        new FaultSite(
            FaultPointKind.HTTP_SERVER,
            service,
            instance,
            match.template(),
            FaultSite.attemptOf(ex.apply(FaultSite.ATTEMPT_HEADER)));
    FaultAction fault = ex.context.call(() -> faults.decide(site));
    if (fault == null) {
      return call.invoke(ex, match, body);
    }
    ex.tagFault(fault.tag());
    if (match.onEventLoop()
        && (fault instanceof FaultAction.Delay || fault instanceof FaultAction.Blackhole)) {
      defer(faults.scheduler(), fault, ex, match, body, runner);
      return DEFERRED;
    }
    Response early = before(faults, fault, ex);
    if (early != null) {
      return early;
    }
    if (fault instanceof FaultAction.SlowBody || fault instanceof FaultAction.TruncateBody) {
      ex.bodyFault(fault, faults.scheduler());
    }
    return call.invoke(ex, match, body);
  }

  /**
   * A delay or blackhole on a non-blocking route: a timer on the fault's scheduler, never a wait on
   * the loop. It fires at the delay's end (the handler then runs on the loop), the blackhole's end,
   * or the request's deadline, whichever is first; at the deadline the request gets 504.
   */
  private static void defer(
      Scheduler scheduler,
      FaultAction fault,
      Exchange ex,
      RouteTable.Match match,
      byte[] body,
      HandlerRunner runner) {
    long wait =
        fault instanceof FaultAction.Delay d
            ? d.nanos()
            : ((FaultAction.Blackhole) fault).maxHangNanos();
    Deadline deadline = ex.context.deadline();
    long left = deadline == null ? Long.MAX_VALUE : Math.max(0, deadline.remainingNanos());
    Runnable end;
    if (left <= wait) {
      end =
          () ->
              runner.endDeferred(
                  ex,
                  match,
                  DeadlineExceededException.duringCall(
                      "deadline passed in a "
                          + fault.tag().type()
                          + " injected by chaos fault "
                          + fault.tag().faultId()));
    } else if (fault instanceof FaultAction.Blackhole b) {
      end =
          () ->
              runner.endDeferred(
                  ex,
                  match,
                  new FaultInjectedException(
                      "blackhole of chaos fault " + b.tag().faultId() + " ended with the fault",
                      b.tag()));
    } else {
      end = () -> runner.resume(ex, match, body);
    }
    DeferredWait w = new DeferredWait(ex);
    ServerState state = ex.server();
    w.timer(
        scheduler.schedule(
            Math.min(wait, left),
            () -> {
              if (w.claim()) {
                state.waited(w);
                ex.onLoop(end);
              }
            }));
    state.waiting(w); // a shutdown that starts now cancels the timer and answers 503
  }

  /** Applies the fault before the handler; returns the answer that replaces the handler's. */
  private static @Nullable Response before(FaultInjector faults, FaultAction fault, Exchange ex)
      throws Exception {
    switch (fault) {
      case FaultAction.Status st -> {
        return Response.json(
            st.status(),
            Map.of(
                "status",
                st.status(),
                "code",
                "chaos_fault",
                "message",
                "injected by chaos fault " + st.tag().faultId()));
      }
      case FaultAction.Raise r -> throw r.error();
      case FaultAction.Delay d -> {
        faults.pause(d.nanos());
        return null;
      }
      case FaultAction.Blackhole b -> throw ex.context.call(() -> FaultPoints.blackhole(faults, b));
      default -> {
        return null;
      }
    }
  }
}
