package io.bulwark.http.internal;

import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.http.Response;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The server's fault injection point, before the handler: asks the installed {@link FaultInjector}
 * (with the request's context bound, so that its cohort and request id count) and applies the
 * answer. A delay is waited out and a blackhole hangs until the request's deadline (the deadline
 * timer answers 504) — both only on handler threads, never on the event loop of a non-blocking
 * route, where they are skipped; an error status is answered instead of calling the handler; an
 * exception is thrown as if the handler had thrown it; a slow or truncated body is applied when the
 * handler's answer is written ({@link Exchange#bodyFault}). System routes and the chaos admin
 * routes ({@link FaultPoints#EXEMPT_ROUTE_PREFIX}) are never faulted.
 */
final class ServerFaults {
  private final String service;
  private final String instance;

  ServerFaults(String service, String instance) {
    this.service = service;
    this.instance = instance;
  }

  /** The handler's answer, through the fault decided for this request (if any). */
  Response invoke(HandlerCall call, Exchange ex, RouteTable.Match match, byte[] body)
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
    Response early = before(faults, fault, ex, match.onEventLoop());
    if (early != null) {
      return early;
    }
    if (fault instanceof FaultAction.SlowBody || fault instanceof FaultAction.TruncateBody) {
      ex.bodyFault(fault, faults.scheduler());
    }
    return call.invoke(ex, match, body);
  }

  /** Applies the fault before the handler; returns the answer that replaces the handler's. */
  private static @Nullable Response before(
      FaultInjector faults, FaultAction fault, Exchange ex, boolean inline) throws Exception {
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
        if (!inline) {
          faults.pause(d.nanos());
        }
        return null;
      }
      case FaultAction.Blackhole b -> {
        if (!inline) {
          throw ex.context.call(() -> FaultPoints.blackhole(faults, b));
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }
}
