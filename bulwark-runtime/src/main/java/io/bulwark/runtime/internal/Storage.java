package io.bulwark.runtime.internal;

import io.bulwark.runtime.RuntimeStartException;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The instance's directories, and how a start failure is recognized as a port clash. */
final class Storage {
  private Storage() {}

  /**
   * Creates {@code shared} and {@code own} if absent and checks that a file can be written in each.
   *
   * @throws RuntimeStartException naming the instance and the directory that failed
   */
  static void prepare(String instanceId, Path shared, Path own) {
    for (Path dir : new Path[] {shared, own}) {
      try {
        Files.createDirectories(dir);
        Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
        Files.delete(probe);
      } catch (IOException | SecurityException e) {
        throw new RuntimeStartException(
            instanceId + ": storage directory " + dir.toAbsolutePath() + " cannot be written: " + e,
            e);
      }
    }
  }

  /** True when {@code e} or one of its causes says the address is already in use. */
  static boolean isBindFailure(Throwable e) {
    for (@Nullable Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (t instanceof BindException
          || (message != null
              && message.toLowerCase(Locale.ROOT).contains("address already in use"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
