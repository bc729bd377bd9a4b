package io.bulwark.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Streams YAML through Jackson into {@link ConfigNode}s that keep their line numbers. Problems
 * found while parsing (a duplicate key, an unset variable) name the value's dotted path, as binding
 * does.
 */
final class YamlTreeParser {
  private static final YAMLFactory FACTORY = new YAMLFactory();

  private final String source;
  private final EnvSubstitution env;
  private final List<ConfigProblem> problems;

  YamlTreeParser(
      String source, Function<String, @Nullable String> env, List<ConfigProblem> problems) {
    this.source = source;
    this.env = new EnvSubstitution(env);
    this.problems = problems;
  }

  /** The document's root, or null if a syntax error stopped parsing (recorded as a problem). */
  @Nullable ConfigNode parse(Reader reader) {
    try (JsonParser parser = FACTORY.createParser(reader)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new ConfigNode.MapNode(new ConfigLocation(source, 1), Map.of());
      }
      return node(parser, "");
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      problems.add(
          new ConfigProblem(
              new ConfigLocation(source, line),
              "",
              "YAML syntax error: " + e.getOriginalMessage()));
      return null;
    } catch (IOException e) {
      problems.add(
          new ConfigProblem(new ConfigLocation(source, 0), "", "cannot read: " + e.getMessage()));
      return null;
    }
  }

  private ConfigNode node(JsonParser parser, String path) throws IOException {
    ConfigLocation location = new ConfigLocation(source, parser.currentTokenLocation().getLineNr());
    JsonToken token = parser.currentToken();
    return switch (token) {
      case START_OBJECT -> map(parser, location, path);
      case START_ARRAY -> list(parser, location, path);
      case VALUE_NULL -> new ConfigNode.ScalarNode(location, null);
      default ->
          new ConfigNode.ScalarNode(
              location, env.apply(parser.getText(), location, path, problems));
    };
  }

  private ConfigNode map(JsonParser parser, ConfigLocation location, String path)
      throws IOException {
    LinkedHashMap<String, ConfigNode> entries = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      int keyLine = parser.currentTokenLocation().getLineNr();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      parser.nextToken();
      ConfigNode value = node(parser, keyPath);
      if (entries.putIfAbsent(key, value) != null) {
        problems.add(
            new ConfigProblem(new ConfigLocation(source, keyLine), keyPath, "duplicate key"));
      }
    }
    return new ConfigNode.MapNode(location, Collections.unmodifiableMap(entries));
  }

  private ConfigNode list(JsonParser parser, ConfigLocation location, String path)
      throws IOException {
    List<ConfigNode> items = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(node(parser, path + "[" + items.size() + "]"));
    }
    return new ConfigNode.ListNode(location, List.copyOf(items));
  }
}
