package io.bulwark.runtime;

import io.bulwark.http.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A test service named by class (so process-mode children can load it) whose start waits for a
 * marker file: setting {@code await} names a file that must exist before the service builds its
 * server (so before it listens and turns ready). It answers {@code GET /hello} with its instance
 * id. Waiting for a file is how a child JVM learns that the parent saw another instance begin.
 */
public final class MarkerGateFactory implements ServiceFactory {
  public MarkerGateFactory() {}

  @Override
  public ServiceInstance create(InstanceContext ctx) {
    String await = ctx.setting("await", "");
    if (!await.isEmpty()) {
      Path marker = Path.of(await);
      long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(marker)) {
        if (System.nanoTime() - limit > 0) {
          throw new IllegalStateException("marker " + marker + " never appeared");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // a file has no wake-up
      }
    }
    ctx.server().get("/hello", req -> Response.text(200, ctx.instanceId()));
    return ServiceInstance.none();
  }
}
