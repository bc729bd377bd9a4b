package io.bulwark.bench.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a process tree read from {@code /proc/<pid>/stat} (user + system ticks of the process
 * and of its direct children, e.g. an NGINX master and its workers, or one JVM and all its
 * threads).
 */
final class ProcCpu {
  private static final long NANOS_PER_TICK = TimeUnit.SECONDS.toNanos(1) / clockTicks();

  private ProcCpu() {}

  /** CPU nanoseconds used so far by {@code pid} and its direct children. */
  static long nanos(long pid) {
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.children().forEach(c -> pids.add(c.pid())));
    long ticks = 0;
    for (long p : pids) {
      ticks += ticks(p);
    }
    return ticks * NANOS_PER_TICK;
  }

  /** CPU nanoseconds used so far by {@code pid} alone (all its threads, none of its children). */
  static long processNanos(long pid) {
    return ticks(pid) * NANOS_PER_TICK;
  }

  /**
   * Steal time so far, summed over the machine's CPUs ({@code /proc/stat}, in clock ticks): the
   * time a virtual machine's CPUs were runnable but the host ran something else. 0 where not
   * reported.
   */
  static long stealNanos() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          return f.length > 8 ? Long.parseLong(f[8]) * NANOS_PER_TICK : 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  private static long ticks(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return 0; // the process has gone
    }
    // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(s);
    } catch (IOException | NumberFormatException e) {
      return 100; // USER_HZ on every Linux architecture the JDK runs on
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
