package io.bulwark.runtime;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the system-file tests share: the problem lines a bad file is refused with. */
final class SystemFiles {
  private SystemFiles() {}

  /**
   * Writes {@code yaml} to {@code dir/sys.yaml}, loads it and returns its problems, each {@code
   * file:line: field: message}; fails the test when the file is accepted.
   */
  static List<String> problems(Path dir, String yaml) throws IOException {
    Path file = dir.resolve("sys.yaml");
    Files.writeString(file, yaml);
    try {
      SystemFile.load(file);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("accepted: " + yaml);
  }
}
