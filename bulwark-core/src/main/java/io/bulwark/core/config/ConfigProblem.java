package io.bulwark.core.config;

/**
 * One thing wrong with a config: where, which field and what.
 *
 * @param location the file and line of the bad value (or of its section, for a missing key)
 * @param path the dotted path of the field, e.g. {@code pipelines.orders.retry.maxAttempts}
 * @param message what is wrong, naming the bad value
 */
public record ConfigProblem(ConfigLocation location, String path, String message) {
  /** {@code file:line: path: message}. */
  @Override
  public String toString() {
    return location + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
