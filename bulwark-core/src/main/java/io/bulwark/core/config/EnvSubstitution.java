package io.bulwark.core.config;

import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in scalar values with environment
 * variables. <code>$${</code> writes a literal <code>${</code>. An unset variable without a default
 * is a problem reported at the value's line and dotted path.
 */
final class EnvSubstitution {
  private final Function<String, @Nullable String> env;

  EnvSubstitution(Function<String, @Nullable String> env) {
    this.env = env;
  }

  String apply(String text, ConfigLocation location, String path, List<ConfigProblem> problems) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (c == '$' && text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          problems.add(new ConfigProblem(location, path, "unclosed ${ in \"" + text + "\""));
          return text;
        }
        out.append(resolve(text.substring(i + 2, end), location, path, problems));
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private String resolve(
      String expression, ConfigLocation location, String path, List<ConfigProblem> problems) {
    int sep = expression.indexOf(":-");
    String name = sep < 0 ? expression : expression.substring(0, sep);
    String value = env.apply(name);
    if (value != null) {
      return value;
    }
    if (sep >= 0) {
      return expression.substring(sep + 2);
    }
    problems.add(
        new ConfigProblem(
            location,
            path,
            "environment variable "
                + name
                + " is not set (write ${"
                + name
                + ":-default} for a default)"));
    return "";
  }
}
