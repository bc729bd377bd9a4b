package io.bulwark.bench.http;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Context switches of this process's threads, read from {@code /proc/self/task}: counts that
 * machine load moves much less than time does, so a busy machine still tells where a request's
 * cross-thread hand-offs go. Three sums per {@link Snapshot}:
 *
 * <ul>
 *   <li>carrier parks: the voluntary switches of the {@code ForkJoinPool-N-worker} threads (the
 *       default virtual-thread scheduler's carriers): a carrier that ran out of work and parked, to
 *       be woken (a futex wake by whoever submits the next virtual thread);
 *   <li>loop sleeps: the voluntary switches of the {@code vert.x-eventloop} threads: an event loop
 *       that found nothing to do and slept in {@code epoll_wait}, to be woken by a socket or by a
 *       task handed to it from another thread;
 *   <li>all: voluntary and involuntary switches of every thread of the process.
 * </ul>
 *
 * All three are {@code -1} where {@code /proc} is not readable (not Linux).
 */
final class ThreadSwitches {
  private static final Path TASKS = Path.of("/proc/self/task");

  /** The sums at one moment; {@link #perRequest} turns two of them into rates. */
  record Snapshot(long carrierParks, long loopSleeps, long all) {
    static final Snapshot UNKNOWN = new Snapshot(-1, -1, -1);

    /** {@code later - this} divided by {@code requests}, per sum (NaN where unknown). */
    Snapshot.Rates perRequest(Snapshot later, double requests) {
      return new Rates(
          rate(carrierParks, later.carrierParks, requests),
          rate(loopSleeps, later.loopSleeps, requests),
          rate(all, later.all, requests));
    }

    private static double rate(long before, long after, double requests) {
      return before < 0 || after < 0 ? Double.NaN : (after - before) / requests;
    }

    /** Switches per request. */
    record Rates(double carrierParks, double loopSleeps, double all) {}
  }

  private ThreadSwitches() {}

  static Snapshot now() {
    long carriers = 0;
    long loops = 0;
    long all = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        long[] switches = switchesOf(task); // voluntary, involuntary
        String name = nameOf(task);
        all += switches[0] + switches[1];
        if (name.startsWith("ForkJoinPool-")) {
          carriers += switches[0];
        } else if (name.startsWith("vert.x-eventloo")) {
          loops += switches[0];
        }
      }
    } catch (IOException | RuntimeException e) {
      return Snapshot.UNKNOWN;
    }
    return new Snapshot(carriers, loops, all);
  }

  /** The thread's name cut to 15 characters ("ForkJoinPool-1-", not the common pool's). */
  private static String nameOf(Path task) {
    try {
      return Files.readString(task.resolve("comm"));
    } catch (IOException | RuntimeException e) {
      return ""; // the thread ended while being read
    }
  }

  private static long[] switchesOf(Path task) {
    long[] counts = new long[2];
    try {
      for (String line : Files.readAllLines(task.resolve("status"))) {
        if (line.startsWith("voluntary_ctxt_switches:")) {
          counts[0] = valueOf(line);
        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
          counts[1] = valueOf(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the thread ended while being read: it counts as none
    }
    return counts;
  }

  private static long valueOf(String line) {
    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
  }
}
