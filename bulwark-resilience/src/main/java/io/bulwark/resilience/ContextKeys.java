package io.bulwark.resilience;

import io.bulwark.core.context.Context;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where a keyed policy finds a call's key in its {@link Context}, as written in config: {@code
 * baggage:<entry>} (the value of a baggage entry, e.g. {@code baggage:tenant}) or {@code
 * criticality} (the call's criticality, e.g. {@code critical}).
 */
final class ContextKeys {
  private static final String BAGGAGE = "baggage:";

  private ContextKeys() {}

  /**
   * The key function {@code spec} names.
   *
   * @throws IllegalArgumentException naming the bad spec and the accepted forms
   */
  static Function<Context, @Nullable String> parse(String spec) {
    if (spec.equals("criticality")) {
      return c -> c.criticality().headerValue();
    }
    if (spec.startsWith(BAGGAGE) && spec.length() > BAGGAGE.length()) {
      String entry = spec.substring(BAGGAGE.length());
      return c -> c.baggage().get(entry);
    }
    throw new IllegalArgumentException(
        "key must be \"baggage:<entry>\" or \"criticality\", was \"" + spec + "\"");
  }
}
