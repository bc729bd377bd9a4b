package io.bulwark.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Binds one YAML map into a builder, key by key. Each accessor reads a key if present, converts it
 * and hands it to a setter (usually a builder method, which validates); every failure — a wrong
 * type, a value the setter rejects, a missing required key, a key nobody read — is recorded as a
 * {@link ConfigProblem} with file, line and dotted field path, and binding goes on so that one run
 * reports all problems. {@link ConfigLoader} throws them together as a {@link ConfigException}.
 *
 * <p>Keys are kebab-case ({@code max-attempts}). A key nobody read that is written in camelCase
 * ({@code maxAttempts}) is reported as such, naming the kebab-case key to write instead.
 *
 * <p>Not thread-safe; used during loading only.
 */
public final class ConfigReader {
  private final ConfigNode.MapNode node;
  private final String path;
  private final List<ConfigProblem> problems;
  private final Set<String> read = new HashSet<>();

  ConfigReader(ConfigNode.MapNode node, String path, List<ConfigProblem> problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** The dotted path of this section ("" for the root). */
  public String path() {
    return path;
  }

  /** Where this section starts. */
  public ConfigLocation location() {
    return node.location();
  }

  /** True if {@code key} is present (marks nothing as read). */
  public boolean has(String key) {
    return node.entries().containsKey(key);
  }

  /** The keys of this section, in file order. */
  public Set<String> keys() {
    return node.entries().keySet();
  }

  public ConfigReader string(String key, Consumer<String> setter) {
    return scalar(key, text -> text, "a string", setter);
  }

  public ConfigReader integer(String key, IntConsumer setter) {
    return scalar(key, ConfigReader::parseInt, "an integer", setter::accept);
  }

  public ConfigReader longValue(String key, LongConsumer setter) {
    return scalar(key, ConfigReader::parseLong, "an integer", setter::accept);
  }

  public ConfigReader decimal(String key, DoubleConsumer setter) {
    return scalar(key, ConfigReader::parseDouble, "a number", setter::accept);
  }

  public ConfigReader bool(String key, Consumer<Boolean> setter) {
    return scalar(key, ConfigReader::parseBoolean, "true or false", setter);
  }

  public ConfigReader duration(String key, Consumer<Duration> setter) {
    return scalar(key, Durations::parse, "a duration", setter);
  }

  /** An enum constant, matched case-insensitively with {@code -} read as {@code _}. */
  public <E extends Enum<E>> ConfigReader enumValue(String key, Class<E> type, Consumer<E> setter) {
    return scalar(key, text -> parseEnum(type, text), "one of " + enumNames(type), setter);
  }

  /** A list of strings (a single value is read as a one-element list). */
  public ConfigReader strings(String key, Consumer<List<String>> setter) {
    ConfigNode value = take(key);
    if (value == null) {
      return this;
    }
    List<ConfigNode> items =
        value instanceof ConfigNode.ListNode list ? list.items() : List.of(value);
    List<String> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof ConfigNode.ScalarNode s && s.text() != null) {
        out.add(s.text());
      } else {
        problem(
            items.get(i).location(),
            key + "[" + i + "]",
            "expected a string, got " + items.get(i).kind());
        return this;
      }
    }
    apply(value.location(), key, () -> setter.accept(List.copyOf(out)));
    return this;
  }

  /**
   * A nested section bound by {@code binder}; its unread keys are reported when it returns.
   *
   * @return what {@code binder} returned, or null if the key is absent or the section is invalid
   */
  public <T> @Nullable T section(String key, Function<ConfigReader, T> binder) {
    ConfigNode value = take(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof ConfigNode.MapNode map)) {
      problem(value.location(), key, "expected a map, got " + value.kind());
      return null;
    }
    return bindChild(map, join(key), binder);
  }

  /**
   * A map of named sections ({@code pipelines: {orders: {...}, payments: {...}}}), each bound by
   * {@code binder} with its name.
   *
   * @return the bound values by name, in file order (invalid ones left out)
   */
  public <T> Map<String, T> namedSections(String key, BiFunction<String, ConfigReader, T> binder) {
    Map<String, T> out = new LinkedHashMap<>();
    ConfigNode value = take(key);
    if (value == null) {
      return out;
    }
    if (!(value instanceof ConfigNode.MapNode map)) {
      problem(value.location(), key, "expected a map of named sections, got " + value.kind());
      return out;
    }
    for (Map.Entry<String, ConfigNode> e : map.entries().entrySet()) {
      String childPath = join(key) + "." + e.getKey();
      if (e.getValue() instanceof ConfigNode.MapNode child) {
        T bound = bindChild(child, childPath, r -> binder.apply(e.getKey(), r));
        if (bound != null) {
          out.put(e.getKey(), bound);
        }
      } else {
        problems.add(
            new ConfigProblem(
                e.getValue().location(), childPath, "expected a map, got " + e.getValue().kind()));
      }
    }
    return out;
  }

  /** Records a problem with this section's whole content (e.g. two settings that conflict). */
  public void reject(String message) {
    problems.add(new ConfigProblem(node.location(), path, message));
  }

  /** Records that {@code key} must be present, if it is absent. */
  public ConfigReader require(String key) {
    if (!has(key)) {
      problems.add(new ConfigProblem(node.location(), join(key), "is required"));
    }
    return this;
  }

  /** Reports every key of this section that no accessor read ("unknown key"). */
  void finish() {
    for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
      if (read.contains(e.getKey())) {
        continue;
      }
      List<String> known = new ArrayList<>(read);
      known.sort(null);
      String knownHere = known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")";
      String kebab = kebabCase(e.getKey());
      String message =
          kebab.equals(e.getKey())
              ? "unknown key" + knownHere
              : "keys are kebab-case: write \""
                  + kebab
                  + "\" instead of \""
                  + e.getKey()
                  + "\""
                  + (read.contains(kebab) ? "" : knownHere);
      problems.add(new ConfigProblem(e.getValue().location(), join(e.getKey()), message));
    }
  }

  /**
   * {@code key} in kebab-case: {@code maxAttempts} → {@code max-attempts}, {@code maxRPS} → {@code
   * max-rps}, {@code retry_on} → {@code retry-on}; a kebab-case key is returned unchanged.
   */
  public static String kebabCase(String key) {
    StringBuilder out = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c)) {
        boolean afterLower = i > 0 && !Character.isUpperCase(key.charAt(i - 1));
        boolean wordStart =
            i > 0 && i + 1 < key.length() && Character.isLowerCase(key.charAt(i + 1));
        if (i > 0 && key.charAt(i - 1) != '-' && (afterLower || wordStart)) {
          out.append('-');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c == '_' ? '-' : c);
      }
    }
    return out.toString();
  }

  <T> @Nullable T bindChild(
      ConfigNode.MapNode child, String childPath, Function<ConfigReader, T> binder) {
    ConfigReader reader = new ConfigReader(child, childPath, problems);
    T result = null;
    try {
      result = binder.apply(reader);
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      problems.add(new ConfigProblem(child.location(), childPath, String.valueOf(e.getMessage())));
    }
    reader.finish();
    return result;
  }

  private <T> ConfigReader scalar(
      String key, Function<String, T> parse, String expected, Consumer<T> setter) {
    ConfigNode value = take(key);
    if (value == null) {
      return this;
    }
    if (!(value instanceof ConfigNode.ScalarNode scalar) || scalar.text() == null) {
      problem(value.location(), key, "expected " + expected + ", got " + value.kind());
      return this;
    }
    T parsed;
    try {
      parsed = parse.apply(scalar.text());
    } catch (IllegalArgumentException e) {
      problem(value.location(), key, String.valueOf(e.getMessage()));
      return this;
    }
    apply(value.location(), key, () -> setter.accept(parsed));
    return this;
  }

  private void apply(ConfigLocation location, String key, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      problem(location, key, String.valueOf(e.getMessage()));
    }
  }

  private @Nullable ConfigNode take(String key) {
    read.add(key);
    return node.entries().get(key);
  }

  private void problem(ConfigLocation location, String key, String message) {
    problems.add(new ConfigProblem(location, join(key), message));
  }

  private String join(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static int parseInt(String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected an integer, got \"" + text + "\"");
    }
  }

  private static long parseLong(String text) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected an integer, got \"" + text + "\"");
    }
  }

  private static double parseDouble(String text) {
    try {
      double d = Double.parseDouble(text.strip());
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a number, got \"" + text + "\"");
    }
  }

  private static boolean parseBoolean(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected true or false, got \"" + text + "\"");
    };
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String text) {
    String wanted = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(wanted)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(
        "expected one of " + enumNames(type) + ", got \"" + text + "\"");
  }

  private static <E extends Enum<E>> String enumNames(Class<E> type) {
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(constant.name().toLowerCase(Locale.ROOT));
    }
    return String.join(", ", names);
  }
}
