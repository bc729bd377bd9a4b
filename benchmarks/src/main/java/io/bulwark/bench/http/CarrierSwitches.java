package io.bulwark.bench.http;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How often the JDK's virtual-thread carriers blocked: the voluntary context switches of this
 * process's {@code ForkJoinPool-N-worker} threads (the default virtual-thread scheduler's
 * carriers), read from {@code /proc/self/task}. Each one is a carrier that ran out of work and
 * parked, to be woken again by the next submitted virtual thread: a count that machine load moves
 * much less than time does. {@code -1} where {@code /proc} is not readable (not Linux).
 */
final class CarrierSwitches {
  private static final Path TASKS = Path.of("/proc/self/task");

  private CarrierSwitches() {}

  static long total() {
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        sum += switchesIfCarrier(task);
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return sum;
  }

  private static long switchesIfCarrier(Path task) {
    try {
      // comm is the thread name cut to 15 characters: "ForkJoinPool-1-" (not the common pool)
      if (!Files.readString(task.resolve("comm")).startsWith("ForkJoinPool-")) {
        return 0;
      }
      for (String line : Files.readAllLines(task.resolve("status"))) {
        if (line.startsWith("voluntary_ctxt_switches:")) {
          return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      return 0; // the thread ended while being read
    }
  }
}
