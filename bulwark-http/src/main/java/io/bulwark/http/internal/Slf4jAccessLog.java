package io.bulwark.http.internal;

import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.ServerListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes one structured INFO line per request to {@code io.bulwark.http.access}. */
public final class Slf4jAccessLog implements ServerListener {
  public static final Slf4jAccessLog INSTANCE = new Slf4jAccessLog();
  private static final Logger LOG = LoggerFactory.getLogger("io.bulwark.http.access");

  private Slf4jAccessLog() {}

  @Override
  public void onRequest(AccessLogEntry e) {
    if (LOG.isInfoEnabled() && e.chaosCohort() != null) {
      LOG.atInfo()
          .addKeyValue(io.bulwark.core.fault.ChaosCohort.LABEL, e.chaosCohort())
          .log(
              "method={} path={} route={} status={} durationMicros={} bytesIn={} correlationId={}"
                  + " criticality={} outcome={} chaosCohort={}",
              e.method(),
              e.path(),
              e.route(),
              e.status(),
              e.durationNanos() / 1000,
              e.bytesIn(),
              e.correlationId(),
              e.criticality(),
              e.outcome().label(),
              e.chaosCohort());
    } else if (LOG.isInfoEnabled()) {
      LOG.info(
          "method={} path={} route={} status={} durationMicros={} bytesIn={} correlationId={}"
              + " criticality={} outcome={}",
          e.method(),
          e.path(),
          e.route(),
          e.status(),
          e.durationNanos() / 1000,
          e.bytesIn(),
          e.correlationId(),
          e.criticality(),
          e.outcome().label());
    }
  }
}
