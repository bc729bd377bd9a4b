package io.bulwark.http.internal;

import io.bulwark.core.context.Criticality;
import io.bulwark.http.Admission;
import io.bulwark.http.RequestOutcome;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Load shedding before the body is read: the request's route admission (if its route has one) and
 * then the server-wide {@link Admission} must both give a permit, by the request's criticality;
 * either refusal is 503 {@code overloaded} with {@code Retry-After}. The route decides first, so a
 * route over its own limit takes no share of the server's; a route permit taken for a request the
 * server then refuses is given back at once. System routes are never shed.
 */
final class AdmissionStage implements Stage {
  private static final Admission.Permit NO_PERMIT = dropped -> {};

  private final Admission admission;
  private final Duration retryAfter;

  AdmissionStage(Admission admission, Duration retryAfter) {
    this.admission = admission;
    this.retryAfter = retryAfter;
  }

  @Override
  public boolean pass(Exchange ex) {
    if (ex.system) {
      ex.admitted(NO_PERMIT, null);
      return true;
    }
    Criticality criticality = ex.context.criticality();
    RouteTable.Match match = java.util.Objects.requireNonNull(ex.match, "routed");
    Admission routeAdmission = match.admission();
    Admission.@Nullable Permit routePermit = null;
    if (routeAdmission != null) {
      routePermit = routeAdmission.tryAcquire(criticality);
      if (routePermit == null) {
        String method = ex.req.method().name();
        ex.refuseUnread(
            Problems.routeOverloaded(method, match.template(), criticality, retryAfter),
            RequestOutcome.SHED);
        return false;
      }
    }
    Admission.Permit permit = admission.tryAcquire(criticality);
    if (permit == null) {
      if (routePermit != null) {
        routePermit.release(false);
      }
      ex.refuseUnread(Problems.overloaded(criticality, retryAfter), RequestOutcome.SHED);
      return false;
    }
    ex.admitted(permit, routePermit);
    return true;
  }
}
