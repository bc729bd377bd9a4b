package io.bulwark.runtime;

import io.bulwark.http.Response;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.client.HttpClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test service named by class (so process-mode children can load it): {@code GET /hello} calls
 * {@code /hello} of every service in setting {@code calls} (comma-separated) and answers {@code
 * <instanceId>[<answers>]}; a dependency that fails shows as {@code <dep>:failed}. A version that
 * starts with {@code bad} answers 500 to exactly 3 of every 10 requests (request k fails when k mod
 * 10 < 3). A version that starts with {@code never} never gets ready.
 */
public final class NodeFactory implements ServiceFactory {
  public NodeFactory() {}

  @Override
  public ServiceInstance create(InstanceContext ctx) {
    List<String> deps = new ArrayList<>();
    for (String d : ctx.setting("calls", "").split(",", -1)) {
      if (!d.isBlank()) {
        deps.add(d.strip());
      }
    }
    HttpClients.Builder b = HttpClients.builder(ctx.discovery(), ctx.scheduler());
    for (String d : deps) {
      b.client(
          d,
          ClientConfig.builder(d)
              .timeout(Duration.ofMillis(Long.parseLong(ctx.setting("timeout-ms", "1000"))))
              .build());
    }
    HttpClients clients = b.decorators((name, config) -> CallDecorator.none()).build();
    Map<String, io.bulwark.http.client.ServiceClient> byName = new LinkedHashMap<>();
    for (String d : deps) {
      byName.put(d, clients.client(d));
    }
    if (ctx.version().startsWith("never")) {
      ctx.server().readiness(() -> false);
    }
    boolean bad = ctx.version().startsWith("bad");
    AtomicLong served = new AtomicLong();
    ctx.server()
        .get(
            "/hello",
            req -> {
              if (bad && served.getAndIncrement() % 10 < 3) {
                return Response.text(500, ctx.instanceId() + " v" + ctx.version() + " failed");
              }
              StringBuilder out = new StringBuilder(ctx.instanceId()).append('[');
              for (Map.Entry<String, io.bulwark.http.client.ServiceClient> e : byName.entrySet()) {
                try {
                  var r = e.getValue().get("/hello");
                  out.append(new String(r.body(), StandardCharsets.UTF_8));
                } catch (HttpCallException ex) {
                  out.append(e.getKey()).append(":failed");
                }
                out.append(' ');
              }
              return Response.text(200, out.append(']').toString());
            });
    return ServiceInstance.of(clients);
  }
}
