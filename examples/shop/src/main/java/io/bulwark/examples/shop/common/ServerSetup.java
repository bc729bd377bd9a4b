package io.bulwark.examples.shop.common;

import io.bulwark.http.BulwarkServer;
import io.bulwark.resilience.ConcurrencyLimiter;
import io.bulwark.resilience.limit.AimdLimit;
import io.bulwark.runtime.InstanceContext;
import java.time.Duration;

/** The shop's server-side protection: an adaptive concurrency limiter when resilience is on. */
public final class ServerSetup {
  private ServerSetup() {}

  /**
   * {@code ctx.server()}, with an AIMD limiter (starting at 100 in flight, between 20 and 1000,
   * backing off on drops or answers slower than 5 s) when resilience is on. The bounds leave
   * headroom for the shop's default load, so it sheds only under real overload.
   */
  public static BulwarkServer.Builder limiter(InstanceContext ctx) {
    BulwarkServer.Builder server = ctx.server();
    if (Settings.resilience(ctx)) {
      server.limiter(
          ConcurrencyLimiter.of(
              ctx.instanceId() + "-server",
              ConcurrencyLimiter.builder()
                  .algorithm(new AimdLimit(100, 20, 1000, 0.9, Duration.ofSeconds(5)))
                  .build(),
              ctx.scheduler()));
    }
    return server;
  }
}
