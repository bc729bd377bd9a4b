package io.bulwark.events.internal.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durable directory entries: fsync of a directory after files were created, renamed or deleted.
 * Also counts every fsync the embedded log issues (files and directories, process-wide), so tests
 * and benchmarks can state what an operation costs in fsyncs.
 */
final class Fsync {
  private static final LongAdder COUNT = new LongAdder();

  private Fsync() {}

  /** Notes one fsync about to be issued (every {@code force} of the embedded log calls this). */
  static void note() {
    COUNT.increment();
  }

  /** Fsyncs issued by embedded logs of this process so far. */
  static long count() {
    return COUNT.sum();
  }

  static void directory(@org.jspecify.annotations.Nullable Path dir) throws IOException {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      note();
      ch.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
        throw e;
      }
    }
  }
}
