package io.bulwark.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.examples.shop.common.Resources;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpClients;
import io.bulwark.resilience.RegistryConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shop's YAML files bind with their binders (kebab-case keys, every value valid). */
class ShopConfigFilesTest {
  private final ConfigLoader loader = ConfigLoader.withEnv(Map.of());

  @Test
  void clientFilesBindTheSameClients() {
    Map<String, ClientConfig> on =
        loader.parse(
            Resources.text(ShopClients.CLIENTS), ShopClients.CLIENTS, HttpClients::bindAll);
    Map<String, ClientConfig> plain =
        loader.parse(
            Resources.text(ShopClients.CLIENTS_PLAIN),
            ShopClients.CLIENTS_PLAIN,
            HttpClients::bindAll);
    assertThat(on).isNotEmpty();
    assertThat(plain.keySet()).isEqualTo(on.keySet());
  }

  @Test
  void resilienceFileBindsEveryPipeline() {
    RegistryConfig config =
        RegistryConfig.parse(
            Resources.text(ShopClients.RESILIENCE), ShopClients.RESILIENCE, loader);
    assertThat(config.pipelines()).isNotEmpty();
  }
}
