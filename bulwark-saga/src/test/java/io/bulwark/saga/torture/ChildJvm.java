package io.bulwark.saga.torture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link TortureChild} JVM: started with the JDK running the tests and the test class path, its
 * standard output read by a virtual thread into counters the test waits on, its standard error kept
 * in a file (shown when something goes wrong), killed with SIGKILL.
 */
final class ChildJvm {
  /** On Linux {@code Process.exitValue()} of a process ended by signal n is 128 + n. */
  static final int SIGKILL_EXIT = 128 + 9;

  private final String name;
  private final Process process;
  private final Path stderr;
  private final Thread reader;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private int progress;
  private long readyMs = -1;
  private long recoveryMs = -1;
  private String done = "";
  private String started = "";
  private boolean eof;

  private ChildJvm(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.reader = Thread.ofVirtual().name("read-" + name).start(this::read);
  }

  static ChildJvm start(String name, Path logDir, List<String> args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xshare:auto");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TortureChild.class.getName());
    command.addAll(args);
    Path stderr = logDir.resolve(name + ".stderr");
    Process p =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
            .start();
    return new ChildJvm(name, p, stderr);
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        accept(line);
      }
    } catch (IOException e) {
      // the pipe breaks when the child is killed: that is the end of its output
    } finally {
      lock.lock();
      try {
        eof = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void accept(String line) {
    lock.lock();
    try {
      if (line.startsWith("P ")) {
        progress++;
      } else if (line.startsWith("READY ")) {
        readyMs = Long.parseLong(line.substring(6).trim());
      } else if (line.startsWith("RECOVERY ")) {
        recoveryMs = Long.parseLong(line.substring(9).trim());
      } else if (line.startsWith("STARTED ")) {
        started = line;
      } else if (line.startsWith("DONE ")) {
        done = line;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the child has reported {@code lines} applied effects (counted from its start): true
   * when it has, false when its output ended first.
   *
   * @throws AssertionError if {@code limit} passes first (the child is stuck: its stderr is shown)
   */
  boolean awaitProgress(int lines, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    lock.lock();
    try {
      while (progress < lines && !eof) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              name
                  + " made no progress to "
                  + lines
                  + " effects in "
                  + limit
                  + " (at "
                  + progress
                  + ")\n"
                  + stderrTail());
        }
        changed.awaitNanos(left);
      }
      return progress >= lines;
    } finally {
      lock.unlock();
    }
  }

  /** Waits at most {@code time} for the child to end by itself: true if it did. */
  boolean awaitExit(Duration time) throws InterruptedException {
    if (!process.waitFor(time.toMillis(), TimeUnit.MILLISECONDS)) {
      return false;
    }
    reader.join();
    return true;
  }

  /** Kills the child with SIGKILL and returns the wall-clock time of the kill (ms). */
  long kill() throws InterruptedException {
    long at = System.currentTimeMillis();
    process.destroyForcibly();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " survived SIGKILL for 60 s");
    }
    reader.join();
    return at;
  }

  /** True if the child was ended by SIGKILL (and not by itself before the kill landed). */
  boolean endedBySigkill() {
    return process.exitValue() == SIGKILL_EXIT;
  }

  int exitValue() {
    return process.exitValue();
  }

  int progress() {
    lock.lock();
    try {
      return progress;
    } finally {
      lock.unlock();
    }
  }

  long readyMs() {
    lock.lock();
    try {
      return readyMs;
    } finally {
      lock.unlock();
    }
  }

  long recoveryMs() {
    lock.lock();
    try {
      return recoveryMs;
    } finally {
      lock.unlock();
    }
  }

  String done() {
    lock.lock();
    try {
      return done;
    } finally {
      lock.unlock();
    }
  }

  String started() {
    lock.lock();
    try {
      return started;
    } finally {
      lock.unlock();
    }
  }

  String stderrTail() {
    try {
      List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
      return "--- "
          + name
          + " stderr (last 60 lines) ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The child's threads as {@code jcmd Thread.dump_to_file} shows them (virtual threads included),
   * the engine's and the saga's frames only, for a report on a stuck child.
   */
  String threadDump() {
    if (!process.isAlive()) {
      return "(" + name + " has ended)";
    }
    try {
      Path file = stderr.resolveSibling(name + "-" + System.nanoTime() + ".threads");
      String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
      Process p =
          new ProcessBuilder(
                  jcmd,
                  Long.toString(process.pid()),
                  "Thread.dump_to_file",
                  "-format=text",
                  file.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || !Files.exists(file)) {
        p.destroyForcibly();
        return "(no thread dump of " + name + ")";
      }
      StringBuilder b = new StringBuilder("--- " + name + " threads (saga frames) ---\n");
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith("#")
            || line.contains("io.bulwark")
            || line.contains("sqlite")
            || line.contains("postgresql")
            || line.contains("hikari")) {
          b.append(line).append('\n');
        }
      }
      return b.toString();
    } catch (IOException e) {
      return "(no thread dump of " + name + ": " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  String name() {
    return name;
  }
}
