package io.bulwark.examples.shop.common;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpClients;
import io.bulwark.resilience.RegistryConfig;
import io.bulwark.resilience.ResilienceRegistry;
import io.bulwark.runtime.InstanceContext;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP clients of one instance, from the shop's YAML.
 *
 * <p>Resilience on: {@code shop/clients.yaml}, whose clients name pipelines of {@code
 * shop/resilience.yaml} (retry within a budget, circuit breaker, timeout, adaptive limit), with
 * outlier ejection, a breaker per endpoint and peak-EWMA balancing. Resilience off: {@code
 * shop/clients-plain.yaml}, one attempt per call ({@link CallDecorator#none()}) with the same
 * timeout, round robin, no ejection. Either way the instance's telemetry records every call and its
 * resilience listener hears every breaker transition.
 */
public final class ShopClients implements AutoCloseable {
  public static final String CLIENTS = "shop/clients.yaml";
  public static final String CLIENTS_PLAIN = "shop/clients-plain.yaml";
  public static final String RESILIENCE = "shop/resilience.yaml";

  private final HttpClients clients;
  private final @Nullable ResilienceRegistry registry;

  private ShopClients(HttpClients clients, @Nullable ResilienceRegistry registry) {
    this.clients = clients;
    this.registry = registry;
  }

  /** Clients named {@code names} (each a section of the YAML) for the instance of {@code ctx}. */
  public static ShopClients create(InstanceContext ctx, List<String> names) {
    boolean on = Settings.resilience(ctx);
    String file = on ? CLIENTS : CLIENTS_PLAIN;
    ConfigLoader loader = ConfigLoader.withSystemEnv();
    Map<String, ClientConfig> all = loader.parse(Resources.text(file), file, HttpClients::bindAll);
    HttpClients.Builder b =
        HttpClients.builder(ctx.discovery(), ctx.scheduler())
            .telemetry(ctx.telemetry())
            .listener(ctx.resilienceListener());
    for (String name : names) {
      ClientConfig config = all.get(name);
      if (config == null) {
        throw new IllegalStateException(file + " has no client " + name + "; has " + all.keySet());
      }
      // mutual TLS where the service it calls requires it
      b.client(name, ctx.withIdentity(config.service(), config));
    }
    ResilienceRegistry registry = null;
    if (on) {
      registry = registry(ctx, loader);
      b.pipelines(registry);
    } else {
      b.decorators((name, config) -> CallDecorator.none());
    }
    return new ShopClients(b.build(), registry);
  }

  /** The shop's named pipelines, reporting to the instance's resilience listener. */
  public static ResilienceRegistry registry(InstanceContext ctx, ConfigLoader loader) {
    RegistryConfig config = RegistryConfig.parse(Resources.text(RESILIENCE), RESILIENCE, loader);
    ResilienceRegistry registry = ResilienceRegistry.of(config, ctx.scheduler());
    registry.addListener(ctx.resilienceListener());
    return registry;
  }

  public HttpClients clients() {
    return clients;
  }

  @Override
  public void close() {
    clients.close();
    if (registry != null) {
      registry.close();
    }
  }
}
