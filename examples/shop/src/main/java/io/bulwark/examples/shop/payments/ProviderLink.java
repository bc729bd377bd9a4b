package io.bulwark.examples.shop.payments;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.examples.shop.common.Resources;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.examples.shop.provider.LegacyPaymentProvider;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpClients;
import io.bulwark.resilience.ResilienceRegistry;
import io.bulwark.runtime.InstanceContext;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A payments instance's connection to the legacy provider: the {@value
 * LegacyPaymentProvider#SERVICE} client of {@code shop/clients.yaml} (or {@code
 * shop/clients-plain.yaml} with resilience off), sending one attempt per call, and with resilience
 * on the {@value #PIPELINE} pipeline of {@code shop/resilience.yaml} around each call of the {@link
 * LegacyPayments} layer (its retry must see the provider's answers, which only the layer reads).
 */
final class ProviderLink implements AutoCloseable {
  static final String PIPELINE = "payment-provider";

  private final HttpClients clients;
  private final @Nullable ResilienceRegistry registry;
  private final LegacyPayments payments;

  private ProviderLink(
      HttpClients clients, @Nullable ResilienceRegistry registry, LegacyPayments payments) {
    this.clients = clients;
    this.registry = registry;
    this.payments = payments;
  }

  static ProviderLink open(InstanceContext ctx) {
    boolean on = Settings.resilience(ctx);
    String file = on ? ShopClients.CLIENTS : ShopClients.CLIENTS_PLAIN;
    ConfigLoader loader = ConfigLoader.withSystemEnv();
    Map<String, ClientConfig> all = loader.parse(Resources.text(file), file, HttpClients::bindAll);
    ClientConfig config = all.get(LegacyPaymentProvider.SERVICE);
    if (config == null) {
      throw new IllegalStateException(
          file + " has no client " + LegacyPaymentProvider.SERVICE + "; has " + all.keySet());
    }
    HttpClients clients =
        HttpClients.builder(ctx.discovery(), ctx.scheduler())
            .telemetry(ctx.telemetry())
            .listener(ctx.resilienceListener())
            .client(LegacyPaymentProvider.SERVICE, config)
            .decorators((name, c) -> CallDecorator.none())
            .build();
    ResilienceRegistry registry = null;
    try {
      registry = on ? ShopClients.registry(ctx, loader) : null;
      LegacyPayments payments =
          new LegacyPayments(
              clients.client(LegacyPaymentProvider.SERVICE),
              registry == null ? null : registry.pipeline(PIPELINE));
      return new ProviderLink(clients, registry, payments);
    } catch (RuntimeException | Error e) {
      clients.close();
      if (registry != null) {
        registry.close();
      }
      throw e;
    }
  }

  LegacyPayments payments() {
    return payments;
  }

  @Override
  public void close() {
    clients.close();
    if (registry != null) {
      registry.close();
    }
  }
}
