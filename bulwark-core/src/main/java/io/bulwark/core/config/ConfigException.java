package io.bulwark.core.config;

import io.bulwark.core.error.FatalException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A config could not be loaded. Carries every problem found, each as {@code file:line: field:
 * message}; the exception message lists them one per line.
 */
public final class ConfigException extends FatalException {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, in the order they were found. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String format(List<ConfigProblem> problems) {
    if (problems.size() == 1) {
      return "invalid config: " + problems.getFirst();
    }
    return problems.stream()
        .map(ConfigProblem::toString)
        .collect(
            Collectors.joining(
                "\n  ", "invalid config (" + problems.size() + " problems):\n  ", ""));
  }
}
