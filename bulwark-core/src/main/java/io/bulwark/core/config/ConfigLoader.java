package io.bulwark.core.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Loads YAML config into immutable config objects through their builders.
 *
 * <pre>{@code
 * RetryConfig retry = ConfigLoader.withSystemEnv().load(path, r -> {
 *   RetryConfig.Builder b = RetryConfig.builder();
 *   r.integer("maxAttempts", b::maxAttempts).duration("backoff", b::backoff);
 *   return b.build();
 * });
 * }</pre>
 *
 * Scalars may use {@code ${ENV}} and {@code ${ENV:-default}}. Every problem in the file (syntax,
 * unknown keys, wrong types, values a builder rejects, unset variables) is collected and thrown at
 * once as a {@link ConfigException} whose lines read {@code file:line: field: message}.
 * Thread-safe; stateless apart from the environment lookup.
 */
public final class ConfigLoader {
  private final Function<String, @Nullable String> env;

  private ConfigLoader(Function<String, @Nullable String> env) {
    this.env = env;
  }

  /** A loader that substitutes from the process environment. */
  public static ConfigLoader withSystemEnv() {
    return new ConfigLoader(System::getenv);
  }

  /** A loader that substitutes from {@code env} (tests, or a layered environment). */
  public static ConfigLoader withEnv(Map<String, String> env) {
    Map<String, String> copy = Map.copyOf(env);
    return new ConfigLoader(copy::get);
  }

  /** Loads and binds a YAML file. */
  public <T> T load(Path file, Function<ConfigReader, T> binder) {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          List.of(new ConfigProblem(new ConfigLocation(source, 0), "", "cannot read file: " + e)));
    }
    return parse(text, source, binder);
  }

  /** Parses and binds YAML text; {@code source} names it in errors. */
  public <T> T parse(String yaml, String source, Function<ConfigReader, T> binder) {
    return bind(new StringReader(yaml), source, binder);
  }

  private <T> T bind(Reader reader, String source, Function<ConfigReader, T> binder) {
    List<ConfigProblem> problems = new ArrayList<>();
    ConfigNode root = new YamlTreeParser(source, env, problems).parse(reader);
    if (root == null) {
      throw new ConfigException(problems);
    }
    if (!(root instanceof ConfigNode.MapNode map)) {
      problems.add(
          new ConfigProblem(root.location(), "", "the document must be a map, got " + root.kind()));
      throw new ConfigException(problems);
    }
    T result = new ConfigReader(map, "", problems).bindChild(map, "", binder);
    if (!problems.isEmpty() || result == null) {
      if (problems.isEmpty()) {
        problems.add(new ConfigProblem(map.location(), "", "the binder produced no value"));
      }
      throw new ConfigException(problems);
    }
    return result;
  }
}
