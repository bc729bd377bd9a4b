package io.bulwark.cli.docs;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ConfigProblem;
import io.bulwark.core.config.ConfigReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Binds the {@code yaml} blocks of Markdown pages with the binder each one names, so that a sample
 * of a Bulwark config file breaks the build when a key is renamed or a value no longer validates.
 *
 * <p>The convention the pages follow: a YAML block carries a comment {@code # binds: Type.method},
 * naming a public static method of an exported Bulwark type that takes a {@link ConfigReader} (e.g.
 * {@code # binds: ServerConfig.bind}); if the method returns a builder, its {@code build()} runs
 * too. A block that configures something other than Bulwark says so with {@code # binds: nothing
 * (<what it is>)}. Variables ({@code ${NAME}}) resolve against an empty environment, so a sample
 * uses {@code ${NAME:-default}}.
 */
final class YamlSamples {

  static final String MARKER = "# binds:";
  private static final Pattern BINDER = Pattern.compile("([A-Z]\\w*)\\.(\\w+)");

  /** What binding a set of blocks found. */
  record Report(int bound, List<String> notBulwark, List<String> failures) {}

  private final Map<String, List<String>> bulwarkTypes;

  YamlSamples(Map<String, List<String>> bulwarkTypes) {
    this.bulwarkTypes = Map.copyOf(bulwarkTypes);
  }

  /** Binds every {@code yaml} block of {@code blocks}; other languages are ignored. */
  Report bind(List<DocBlock> blocks) {
    int bound = 0;
    List<String> notBulwark = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (DocBlock block : blocks) {
      if (!block.language().equals("yaml") && !block.language().equals("yml")) {
        continue;
      }
      String binder = marker(block);
      if (binder == null) {
        failures.add(
            block.where(0)
                + ": a yaml block names its binder with a comment '"
                + MARKER
                + " Type.method' (or '"
                + MARKER
                + " nothing (what it is)')");
      } else if (binder.startsWith("nothing")) {
        notBulwark.add(block.where(0) + ": " + binder);
      } else {
        bound++;
        failures.addAll(bindOne(block, binder));
      }
    }
    return new Report(bound, notBulwark, failures);
  }

  private static @Nullable String marker(DocBlock block) {
    for (String line : block.text()) {
      int at = line.indexOf(MARKER);
      if (at >= 0) {
        return line.substring(at + MARKER.length()).strip();
      }
    }
    return null;
  }

  private List<String> bindOne(DocBlock block, String binder) {
    Matcher m = BINDER.matcher(binder);
    if (!m.lookingAt()) {
      return List.of(block.where(0) + ": '" + binder + "' is not Type.method");
    }
    Method method;
    try {
      method = binderMethod(m.group(1), m.group(2));
    } catch (ReflectiveOperationException | IllegalArgumentException e) {
      return List.of(block.where(0) + ": binder " + binder + ": " + e.getMessage());
    }
    String yaml = String.join("\n", block.text()) + "\n";
    try {
      ConfigLoader.withEnv(Map.of()).parse(yaml, block.source(), r -> invoke(method, r));
      return List.of();
    } catch (ConfigException e) {
      List<String> failures = new ArrayList<>();
      for (ConfigProblem p : e.problems()) {
        failures.add(
            block.where(Math.max(0, p.location().line() - 1))
                + ": "
                + p.path()
                + ": "
                + p.message());
      }
      return failures;
    } catch (RuntimeException e) {
      return List.of(block.where(0) + ": " + binder + " threw " + e);
    }
  }

  private Method binderMethod(String simpleName, String methodName)
      throws ReflectiveOperationException {
    List<String> types = bulwarkTypes.getOrDefault(simpleName, List.of());
    if (types.size() != 1) {
      throw new IllegalArgumentException(
          "no single exported Bulwark type named " + simpleName + " (found " + types + ")");
    }
    Class<?> type = Class.forName(types.get(0), false, YamlSamples.class.getClassLoader());
    Method method = type.getMethod(methodName, ConfigReader.class);
    if (!Modifier.isStatic(method.getModifiers())) {
      throw new IllegalArgumentException(method + " is not static");
    }
    return method;
  }

  private static Object invoke(Method method, ConfigReader reader) {
    try {
      Object result = method.invoke(null, reader);
      if (result == null) {
        return null;
      }
      for (Method m : result.getClass().getMethods()) {
        if (m.getName().equals("build") && m.getParameterCount() == 0) {
          return m.invoke(result);
        }
      }
      return result;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
