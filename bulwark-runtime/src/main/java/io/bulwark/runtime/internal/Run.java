package io.bulwark.runtime.internal;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.discovery.EmbeddedRegistry;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.ServiceInstance;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one start of an instance opened, filled in as the start proceeds, so that a failure at any
 * stage closes exactly what was opened. Used under the instance's lock only.
 */
final class Run {
  private static final Logger LOG = LoggerFactory.getLogger(Run.class);
  final String instanceId;
  final RunContext context;
  final BulwarkTelemetry telemetry;
  private final BreakerBoard.Source breakers;
  @Nullable ServiceInstance service;
  @Nullable BulwarkServer server;
  @Nullable Endpoint endpoint;
  EmbeddedRegistry.@Nullable Registration registration;
  @Nullable ScheduledTask renewal;
  @Nullable Child child;
  int childPort = -1;

  /** The child's latest report (process mode); written by the one metrics collection at a time. */
  private volatile ChildReport lastReport = ChildReport.ZERO;

  Run(
      String instanceId,
      RunContext context,
      BulwarkTelemetry telemetry,
      BreakerBoard.Source breakers) {
    this.instanceId = instanceId;
    this.breakers = breakers;
    this.context = context;
    this.telemetry = telemetry;
  }

  /**
   * Graceful: withdraw the lease, drain the server, end the background loops (bounded by {@code
   * budget}, then interrupted), close the service, close the telemetry; its breakers leave the
   * board.
   */
  void stop(Duration budget) {
    cancelRenewal();
    EmbeddedRegistry.Registration r = registration;
    if (r != null) {
      r.close();
    }
    Child c = child;
    if (c != null) {
      c.stop(budget);
    }
    BulwarkServer s = server;
    if (s != null) {
      int lost = s.shutdown();
      if (lost > 0) {
        LOG.warn("{}: {} requests still running when the drain budget ran out", instanceId, lost);
      }
    }
    try {
      if (!context.endBackground(budget)) {
        LOG.warn("{}: a background loop did not end within {} after interrupt", instanceId, budget);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ServiceInstance si = service;
    if (si != null) {
      quietly("close", si::close);
    }
    quietly("close telemetry", telemetry::close);
    breakers.close();
  }

  /**
   * Crash: the lease is no longer renewed but stays registered; the server is killed, the
   * background loops interrupted (not waited for), the service killed, the telemetry closed; its
   * breakers leave the board (its clients died with it).
   */
  void kill() {
    cancelRenewal();
    Child c = child;
    if (c != null) {
      c.kill();
    }
    BulwarkServer s = server;
    if (s != null) {
      s.kill();
    }
    context.interruptBackground();
    ServiceInstance si = service;
    if (si != null) {
      quietly("kill", si::kill);
    }
    quietly("close telemetry", telemetry::close);
    breakers.close();
  }

  /**
   * After {@link #kill()}: waits up to {@code budget} for the interrupted background loops to end,
   * so that a killed incarnation's threads never outlive the runtime nor overlap the next start.
   */
  void awaitKilled(Duration budget) {
    try {
      if (!context.awaitBackground(budget)) {
        LOG.warn("{}: a killed background loop did not end within {}", instanceId, budget);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Process mode: scrapes the child's report and applies it — what it answered since the previous
   * scrape goes to {@code meter}, its breakers to the board, its RED aggregates to {@link #red}. An
   * in-process run's meter counts itself.
   */
  void scrape(
      java.net.http.HttpClient http, String scheme, String host, InstanceMeter meter, long now) {
    Child c = child;
    if (c == null || childPort <= 0) {
      return;
    }
    ChildReport report = c.scrape(http, scheme, host, childPort);
    if (report == null) {
      return;
    }
    meter.addScraped(report.since(lastReport));
    lastReport = report;
    breakers.replace(report.breakerViews(instanceId, now));
  }

  /** Process mode: the RED aggregates of {@code kind} of the child's latest report. */
  java.util.List<io.bulwark.telemetry.RedSnapshot> red(String kind) {
    return lastReport.red(kind);
  }

  int exitCode() {
    Child c = child;
    return c == null || c.process.isAlive() ? -1 : c.process.exitValue();
  }

  /** A crashed child: like a kill (the lease stays until it expires), the process is gone. */
  void crashed() {
    cancelRenewal();
    context.interruptBackground();
    quietly("close telemetry", telemetry::close);
    breakers.close();
  }

  private void cancelRenewal() {
    ScheduledTask t = renewal;
    if (t != null) {
      t.cancel();
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private void quietly(String what, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      LOG.warn("{}: {} failed", instanceId, what, e);
    }
  }
}
