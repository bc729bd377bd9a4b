package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.RouteConfig;
import io.bulwark.gateway.RouteSecurity;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Builds the admission chain of a route from its config, in the order jwt, rate limits,
 * concurrency, wasm (cheapest refusals of unauthenticated traffic first; a claim-keyed rate limit
 * needs the verified claims). A route whose security config did not change across a reload keeps
 * its chain (rate-limit buckets, JWKS cache and concurrency limit carry over).
 */
final class Admissions {
  private Admissions() {}

  static AdmissionChain chain(
      RouteConfig rc, Snapshot.@Nullable Route old, Scheduler scheduler, Telemetry telemetry) {
    RouteSecurity s = rc.security();
    if (s.isEmpty()) {
      return AdmissionChain.EMPTY;
    }
    if (old != null && old.config().security().equals(s)) {
      return old.admission();
    }
    List<Admission> stages = new ArrayList<>();
    RouteSecurity.Jwt jwt = s.jwt();
    if (jwt != null) {
      stages.add(JwtStage.of(rc.name(), jwt, scheduler.clock()));
    }
    for (RouteSecurity.RateLimit limit : s.rateLimits().values()) {
      stages.add(new RateLimitStage(rc.name(), limit, scheduler));
    }
    if (s.concurrency() != null) {
      stages.add(new ConcurrencyStage(rc.name(), s.concurrency(), scheduler));
    }
    RouteSecurity.Wasm wasm = s.wasm();
    if (wasm != null) {
      stages.add(new WasmStage(rc.name(), wasm, scheduler));
    }
    return new AdmissionChain(stages);
  }
}
