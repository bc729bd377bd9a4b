package io.bulwark.cli;

import io.bulwark.examples.shop.demo.Backend;
import io.bulwark.examples.shop.demo.Demo;
import io.bulwark.examples.shop.demo.DemoOptions;
import io.bulwark.examples.shop.gameday.Scenarios;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark demo}: the reference shop under load through a game day, live in the terminal,
 * judged by its SLOs and invariants. Bad input is a usage error (exit 2) naming the value; the exit
 * code of a run is 0 only when every SLO, invariant and guarantee step of the judged run held.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the reference shop (catalog, cart, orders, payments x2, inventory x2, shipping,"
          + " recommendations) under an open-loop load of users, through a game day (a bad"
          + " deploy, a killed instance, a dependency down, then healed), with a live view of"
          + " services, circuit breakers, SLO error budgets and the timeline.",
      "Exit code: 0 when every SLO, invariant and guarantee step of the judged run held (with --compare: the"
          + " resilience-on run), 1 when not or when the shop could not start, 2 for bad input."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "NAME",
      description = "The game day to run (default: ${DEFAULT-VALUE}); see --list-scenarios.")
  String scenario = Scenarios.DEFAULT;

  @Option(names = "--list-scenarios", description = "List the scenarios and exit.")
  boolean listScenarios;

  @Option(
      names = "--resilience",
      paramLabel = "on|off",
      description = "Resilience pipelines and fallbacks on, or plain calls (default: on).")
  String resilience = "on";

  @Option(
      names = "--compare",
      description =
          "Run with resilience on, then off, same seed; print them side by side and write an"
              + " HTML report.")
  boolean compare;

  @Option(names = "--headless", description = "One plain line per second instead of the live view.")
  boolean headless;

  @Option(
      names = "--processes",
      description =
          "One child JVM per shop instance (the runtime's process mode; kills are SIGKILL)."
              + " Default: every instance in this JVM.")
  boolean processes;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description = "How long the load runs per run, e.g. 60s, 2m (default: 120s).")
  String duration = DemoOptions.DEFAULT_DURATION.toSeconds() + "s";

  @Option(
      names = "--warmup",
      paramLabel = "D",
      description =
          "Load before each run, not judged, so the JIT has compiled the hot paths; 0 for none"
              + " (default: 10s; with --processes 30s, the rate ramping up over its first half).")
  @Nullable String warmup;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "User requests per second, open loop (default: ${DEFAULT-VALUE}).")
  double rate = DemoOptions.DEFAULT_RATE;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Seed of the load and the services (default: ${DEFAULT-VALUE}).")
  long seed = DemoOptions.DEFAULT_SEED;

  @Option(
      names = "--port",
      paramLabel = "P",
      description = "First of consecutive ports for the instances; 0 = ephemeral (default).")
  int port;

  @Option(
      names = "--storage",
      paramLabel = "DIR",
      description =
          "Where the services keep their data (default: a fresh temporary directory,"
              + " deleted after the run).")
  @Nullable Path storage;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description = "Where --compare writes its HTML report (default: target/bulwark-demo).")
  @Nullable Path reportDir;

  @Option(
      names = "--backend",
      paramLabel = "LIST",
      description =
          "Where events and sagas run: embedded (the embedded event log and SQLite, default),"
              + " or kafka and/or postgres, comma separated (a local Kafka broker for every"
              + " topic, a local PostgreSQL server for the checkout sagas; started from the Maven"
              + " Central artifacts, data under the run's storage, stopped at the end).")
  String backend = "embedded";

  PrintStream out = System.out;
  PrintStream err = System.err;

  DemoCommand() {
    this.spec = CommandSpec.create();
  }

  @Override
  public Integer call() {
    if (listScenarios) {
      out.print(Demo.listScenarios());
      return 0;
    }
    return Demo.run(options(), out, err);
  }

  /** The options, validated; a bad value is a usage error naming it. */
  DemoOptions options() {
    try {
      return DemoOptions.builder()
          .scenario(scenario)
          .resilience(parseResilience(resilience))
          .compare(compare)
          .headless(headless)
          .processes(processes)
          .duration(DemoOptions.parseDuration(duration))
          .warmup(
              warmup != null
                  ? DemoOptions.parseDuration(warmup)
                  : processes ? DemoOptions.DEFAULT_PROCESS_WARMUP : DemoOptions.DEFAULT_WARMUP)
          .rate(rate)
          .seed(seed)
          .basePort(port)
          .storage(storage)
          .reportDir(reportDir != null ? reportDir : defaultReportDir())
          .backends(Backend.parseList(backend))
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bulwark demo: " + e.getMessage(), e);
    }
  }

  private static boolean parseResilience(String value) {
    return switch (value) {
      case "on" -> true;
      case "off" -> false;
      default ->
          throw new IllegalArgumentException(
              "--resilience must be on or off, was \"" + value + "\"");
    };
  }

  private static Path defaultReportDir() {
    String home = System.getProperty("bulwark.home");
    Path base = home != null ? Path.of(home) : Path.of("");
    return base.resolve("target").resolve("bulwark-demo");
  }
}
