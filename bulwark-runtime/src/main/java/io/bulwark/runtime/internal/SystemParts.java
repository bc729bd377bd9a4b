package io.bulwark.runtime.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.discovery.EmbeddedRegistry;
import io.bulwark.runtime.RuntimeOptions;
import io.vertx.core.Vertx;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every instance of one running system shares: one Vert.x (every server and the readiness
 * probe), one embedded registry, the clock and scheduler. Opened by a start, closed once by the
 * stop (or by a failed start); the scheduler is closed only when the runtime created it.
 */
final class SystemParts implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SystemParts.class);
  final Vertx vertx;
  final EmbeddedRegistry registry;
  final Scheduler scheduler;
  final Clock clock;
  final ReadinessProbe probe;
  private final @Nullable SystemScheduler ownedScheduler;

  private SystemParts(Vertx vertx, Scheduler scheduler, @Nullable SystemScheduler ownedScheduler) {
    this.vertx = vertx;
    this.scheduler = scheduler;
    this.ownedScheduler = ownedScheduler;
    this.clock = scheduler.clock();
    this.registry = EmbeddedRegistry.create(scheduler);
    this.probe = new ReadinessProbe(vertx);
  }

  static SystemParts open(RuntimeOptions options) {
    Scheduler given = options.scheduler();
    SystemScheduler owned = given == null ? SystemScheduler.create() : null;
    Scheduler scheduler = given != null ? given : owned;
    if (scheduler == null) {
      throw new IllegalStateException("no scheduler");
    }
    return new SystemParts(Vertx.vertx(), scheduler, owned);
  }

  @Override
  public void close() {
    probe.close();
    registry.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("the runtime's Vert.x did not close cleanly", e);
    }
    if (ownedScheduler != null) {
      ownedScheduler.close();
    }
  }
}
