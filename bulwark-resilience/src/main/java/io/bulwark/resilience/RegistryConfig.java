package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The immutable content of a resilience config file: named retry budgets and named pipelines. See
 * {@link ResilienceRegistry} for the YAML format; {@link #parse} and {@link #load} report every
 * problem at once as {@code file:line: field: message}. In code, {@link #builder()} assembles one
 * and {@link #toBuilder()} changes a copy (e.g. one pipeline of a loaded file), keeping the order
 * of the pipelines.
 *
 * @param budgets retry budgets by name
 * @param pipelines pipeline specs by name, in file order
 */
public record RegistryConfig(
    Map<String, RetryBudgetConfig> budgets, Map<String, PipelineSpec> pipelines) {

  public RegistryConfig {
    budgets = Map.copyOf(budgets);
    pipelines = Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
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

  /** An empty builder: no budgets, no pipelines. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this config's budgets and pipelines: {@code toBuilder().build()} equals this.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.budgets.putAll(budgets);
    b.pipelines.putAll(pipelines);
    return b;
  }

  /**
   * Builds a {@link RegistryConfig}; names must not be blank, and {@link #build()} refuses a
   * pipeline whose retry or hedge budget names no budget, as binding a file does.
   */
  public static final class Builder {
    private final Map<String, RetryBudgetConfig> budgets = new LinkedHashMap<>();
    private final Map<String, PipelineSpec> pipelines = new LinkedHashMap<>();

    private Builder() {}

    /** Adds or replaces the budget {@code name}. */
    public Builder budget(String name, RetryBudgetConfig config) {
      budgets.put(Checks.notBlank("budget name", name), Objects.requireNonNull(config, name));
      return this;
    }

    /** Adds the pipeline {@code name} last, or replaces it where it stands. */
    public Builder pipeline(String name, PipelineSpec spec) {
      pipelines.put(Checks.notBlank("pipeline name", name), Objects.requireNonNull(spec, name));
      return this;
    }

    /** Drops the pipeline {@code name}, if there is one. */
    public Builder removePipeline(String name) {
      pipelines.remove(name);
      return this;
    }

    /**
     * Builds the config, checking that every budget a pipeline names is defined.
     *
     * @throws IllegalArgumentException naming the pipeline and the unknown budget it refers to
     */
    public RegistryConfig build() {
      pipelines.forEach(
          (name, spec) -> {
            requireBudget(name, "retry", spec.retryBudget());
            requireBudget(name, "hedge", spec.hedgeBudget());
          });
      return new RegistryConfig(budgets, pipelines);
    }

    private void requireBudget(String pipeline, String policy, @Nullable String budget) {
      if (budget != null && !budgets.containsKey(budget)) {
        throw new IllegalArgumentException(
            "pipeline \""
                + pipeline
                + "\": "
                + policy
                + " budget \""
                + budget
                + "\" is unknown, known: "
                + new TreeSet<>(budgets.keySet()));
      }
    }
  }
}
