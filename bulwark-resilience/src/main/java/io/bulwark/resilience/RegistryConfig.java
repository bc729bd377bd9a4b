package io.bulwark.resilience;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.util.Map;

/**
 * The immutable content of a resilience config file: named retry budgets and named pipelines. See
 * {@link ResilienceRegistry} for the YAML format; {@link #parse} and {@link #load} report every
 * problem at once as {@code file:line: field: message}.
 *
 * @param budgets retry budgets by name
 * @param pipelines pipeline specs by name, in file order
 */
public record RegistryConfig(
    Map<String, RetryBudgetConfig> budgets, Map<String, PipelineSpec> pipelines) {

  public RegistryConfig {
    budgets = Map.copyOf(budgets);
    pipelines = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pipelines));
  }

  /** Binds a config file's root section. */
  public static RegistryConfig bind(ConfigReader root) {
    return RegistryYaml.bind(root);
  }

  /**
   * Loads a config file.
   *
   * @throws io.bulwark.core.config.ConfigException listing every problem
   */
  public static RegistryConfig load(Path file, ConfigLoader loader) {
    return loader.load(file, RegistryConfig::bind);
  }

  /**
   * Parses YAML text; {@code source} names it in errors.
   *
   * @throws io.bulwark.core.config.ConfigException listing every problem
   */
  public static RegistryConfig parse(String yaml, String source, ConfigLoader loader) {
    return loader.parse(yaml, source, RegistryConfig::bind);
  }
}
