package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.gameday.Scenario;
import io.bulwark.examples.shop.gameday.Scenarios;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bulwark demo}: runs the shop through a game day under the users' load, once (resilience on
 * or off) or twice to compare (on, then off, same seed), prints the summary and, for a comparison,
 * writes the HTML report.
 *
 * <p>Exit codes: {@link #OK} only when every SLO and every invariant of the judged run holds (the
 * resilience-on run when comparing); {@link #FAILED} when they do not, or when the shop could not
 * start (a port in use, storage that cannot be written; the message names it and nothing is left
 * running; a backend (Kafka, PostgreSQL) that cannot start is named). With {@code --backend kafka}
 * and/or {@code postgres} each run starts its own local broker/server ({@link LocalBackends}) under
 * the run's directory and stops it after the shop closed. Ctrl-C stops the load, closes the shop
 * and its storage (no port, thread or file lock left) and exits without judging invariants.
 */
public final class Demo {
  public static final int OK = 0;
  public static final int FAILED = 1;

  private Demo() {}

  /** One line per scenario: its name and what it does. */
  public static String listScenarios() {
    StringBuilder b = new StringBuilder();
    int width = Scenarios.all().stream().mapToInt(s -> s.name().length()).max().orElse(1);
    for (Scenario s : Scenarios.all()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-" + width + "s  %s%s%n",
              s.name(),
              s.summary(),
              s.name().equals(Scenarios.DEFAULT) ? " (default)" : ""));
    }
    return b.toString();
  }

  /** Runs the demo as {@code options} say; returns the exit code. */
  public static int run(DemoOptions options, PrintStream out, PrintStream err) {
    RunControl control = new RunControl();
    Thread hook = new Thread(() -> stopAndWait(control), "bulwark-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return runAll(options, out, err, control);
    } finally {
      control.closed();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits for closed()
      }
    }
  }

  /** Runs one run (for tests and embedding), with {@code storageRoot} as the shop's storage. */
  public static RunResult runOnce(
      DemoOptions options,
      boolean resilience,
      Path storageRoot,
      PrintStream out,
      RunControl control) {
    return new DemoRun(options, resilience, out, control).run(storageRoot);
  }

  private static int runAll(
      DemoOptions options, PrintStream out, PrintStream err, RunControl control) {
    Path base;
    try {
      base = storageBase(options);
    } catch (IOException e) {
      err.println("bulwark demo: " + e.getMessage());
      return FAILED;
    }
    List<RunResult> results = new ArrayList<>();
    try {
      for (boolean resilience :
          options.compare() ? List.of(true, false) : List.of(options.resilience())) {
        if (control.stopped()) {
          break;
        }
        Path root = base.resolve("run-" + stamp() + "-resilience-" + (resilience ? "on" : "off"));
        try (LocalBackends backends =
            LocalBackends.start(options.backends(), root.resolve("backends"), out)) {
          if (control.stopped()) {
            break;
          }
          results.add(
              new DemoRun(options, resilience, out, control).run(root, backends.backends()));
        }
      }
    } catch (LocalBackends.BackendStartException e) {
      err.println("bulwark demo: " + e.getMessage());
      return FAILED;
    } catch (RuntimeException e) {
      err.println("bulwark demo: the shop could not run: " + e.getMessage());
      return FAILED;
    } finally {
      if (options.storage() == null) {
        deleteQuietly(base);
      }
    }
    return summarize(options, results, out, control);
  }

  private static int summarize(
      DemoOptions options, List<RunResult> results, PrintStream out, RunControl control) {
    if (results.isEmpty() || control.stopped()) {
      out.println("bulwark demo: stopped; the shop is closed.");
      return FAILED;
    }
    out.println();
    out.println(
        "summary ("
            + options.scenario()
            + ", "
            + options.duration().toSeconds()
            + " s per run, "
            + options.rate()
            + " req/s, seed "
            + options.seed()
            + ")");
    out.print(SummaryTable.render(results));
    for (RunResult r : results) {
      out.println(
          "breakers that opened (resilience "
              + r.label()
              + "):"
              + (r.breakersOpened().isEmpty() ? " none" : ""));
      r.breakersOpened()
          .forEach(
              v ->
                  out.printf(
                      Locale.ROOT,
                      "  %-12s %s: %s (%s)%n",
                      v.instanceId(),
                      v.breaker(),
                      v.state(),
                      v.reason()));
    }
    for (RunResult r : results) {
      Map<String, Long> causes = r.load().errorCauses();
      out.println(
          "errors by cause (resilience " + r.label() + "):" + (causes.isEmpty() ? " none" : ""));
      causes.entrySet().stream()
          .limit(8)
          .forEach(e -> out.printf(Locale.ROOT, "  %6d  %s%n", e.getValue(), e.getKey()));
    }
    if (options.compare() && results.size() == 2) {
      Path report = HtmlReport.write(options.reportDir(), results);
      out.println("report: " + report.toAbsolutePath());
    }
    RunResult judged = results.get(0);
    out.println(
        judged.passed()
            ? "every SLO, invariant and guarantee of the resilience-"
                + judged.label()
                + " run held: exit 0"
            : "the resilience-"
                + judged.label()
                + " run missed an SLO, an invariant or a guarantee: exit 1");
    return judged.passed() ? OK : FAILED;
  }

  private static Path storageBase(DemoOptions options) throws IOException {
    Path dir = options.storage();
    if (dir == null) {
      Path temp = Files.createTempDirectory("bulwark-demo-");
      if (options.backends().contains(Backend.POSTGRES)) {
        // PostgreSQL refuses root and runs as nobody (PostgresTestServer), which must reach its
        // data under this directory: searchable by others, not listable
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
      }
      return temp;
    }
    try {
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, ".write-check", ".tmp"));
      return dir;
    } catch (IOException | UnsupportedOperationException e) {
      throw new IOException("storage directory " + dir + " cannot be written: " + e, e);
    }
  }

  private static String stamp() {
    return LocalDateTime.now(ZoneId.systemDefault())
        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  }

  private static void stopAndWait(RunControl control) {
    control.stop();
    try {
      control.awaitClosed(60);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
