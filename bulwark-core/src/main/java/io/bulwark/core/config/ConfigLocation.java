package io.bulwark.core.config;

/**
 * Where a config value came from: a file (or other named source) and a 1-based line.
 *
 * @param source the file path or source name as given to the loader
 * @param line 1-based line number, or 0 if unknown
 */
public record ConfigLocation(String source, int line) {
  @Override
  public String toString() {
    return line > 0 ? source + ":" + line : source;
  }
}
