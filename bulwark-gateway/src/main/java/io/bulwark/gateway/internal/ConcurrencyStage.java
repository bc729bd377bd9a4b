package io.bulwark.gateway.internal;

import io.bulwark.core.context.Criticality;
import io.bulwark.core.time.Scheduler;
import io.bulwark.resilience.ConcurrencyLimiter;
import io.bulwark.resilience.ConcurrencyLimiterConfig;
import io.vertx.core.Future;
import java.util.Map;

/**
 * The adaptive concurrency limit of a route (bulwark-resilience's {@link ConcurrencyLimiter}): a
 * request over the learned limit gets 503; an admitted one holds its permit until its exchange
 * ends, and a 5xx answer counts as a drop (a congestion signal) for the limit algorithm. All client
 * requests of a route are admitted alike, at {@link Criticality#CRITICAL_PLUS} (share 1.0, the
 * whole limit): clients cannot set their own criticality, so there is nothing to rank.
 */
final class ConcurrencyStage implements Admission {
  private final String route;
  private final ConcurrencyLimiter limiter;

  ConcurrencyStage(String route, ConcurrencyLimiterConfig config, Scheduler scheduler) {
    this.route = route;
    this.limiter = ConcurrencyLimiter.of("gateway-route-" + route, config, scheduler);
  }

  ConcurrencyLimiter limiter() {
    return limiter;
  }

  @Override
  public String name() {
    return "concurrency";
  }

  @Override
  public Future<Verdict> admit(AdmissionHead head) {
    ConcurrencyLimiter.Permit permit = limiter.tryAcquire(Criticality.CRITICAL_PLUS);
    if (permit == null) {
      return Future.succeededFuture(
          Verdict.deny(
              503,
              "concurrency-limit",
              "route " + route + " is at its concurrency limit of " + limiter.limit(),
              Map.of("retry-after", "1")));
    }
    return Future.succeededFuture(Verdict.allow((status, nanos) -> permit.release(status >= 500)));
  }
}
