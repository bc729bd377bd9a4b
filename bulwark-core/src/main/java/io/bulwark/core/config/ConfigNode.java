package io.bulwark.core.config;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed config value that remembers where it was written: a map, a list or a scalar. Produced by
 * {@link ConfigLoader}; read through {@link ConfigReader}.
 */
public sealed interface ConfigNode {

  ConfigLocation location();

  /** A human word for the node's kind, for error messages ("a map", "a list", "a value"). */
  String kind();

  /** A mapping; keys in file order. */
  record MapNode(ConfigLocation location, Map<String, ConfigNode> entries) implements ConfigNode {
    @Override
    public String kind() {
      return "a map";
    }
  }

  /** A sequence. */
  record ListNode(ConfigLocation location, List<ConfigNode> items) implements ConfigNode {
    @Override
    public String kind() {
      return "a list";
    }
  }

  /** A scalar, as text after {@code ${ENV}} substitution; null text for YAML null. */
  record ScalarNode(ConfigLocation location, @Nullable String text) implements ConfigNode {
    @Override
    public String kind() {
      return text == null ? "null" : "a value";
    }
  }
}
