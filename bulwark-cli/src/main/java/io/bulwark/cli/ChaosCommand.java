package io.bulwark.cli;

import io.bulwark.chaos.experiment.Experiment;
import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.experiment.ExperimentRunner;
import io.bulwark.chaos.experiment.ExperimentYaml;
import io.bulwark.chaos.experiment.HttpFaultControl;
import io.bulwark.chaos.report.ExperimentReport;
import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigProblem;
import io.bulwark.core.time.Scheduler;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bulwark chaos ...}: chaos experiments against a running service. */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = "Chaos experiments against a running Bulwark service.",
    subcommands = {ChaosCommand.Run.class, ChaosFaultCommand.class})
final class ChaosCommand implements Runnable {
  @Spec CommandSpec spec = CommandSpec.create();

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code bulwark chaos run FILE --target URL}: runs the experiment in real time, faults through
   * the service's chaos admin endpoint, the hypothesis judged from the experiment's HTTP probes;
   * prints the verdict and writes the JSON and HTML report. Exit 0 only when the hypothesis held, 1
   * when it failed, was aborted or refused, 2 when the file is invalid.
   */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Run an experiment file; exit 0 only when its steady-state hypothesis held.")
  static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();

    @Parameters(index = "0", paramLabel = "FILE", description = "the experiment YAML")
    Path file = Path.of("experiment.yaml");

    @Option(
        names = "--target",
        required = true,
        description = "base URL of the service whose chaos admin endpoint takes the faults")
    URI target = URI.create("http://127.0.0.1:8080");

    @Option(names = "--token", description = "the admin token (services not on loopback)")
    @Nullable String token;

    @Option(
        names = "--report-dir",
        description = "where NAME.json and NAME.html are written (default: ${DEFAULT-VALUE})")
    Path reportDir = Path.of("chaos-reports");

    @Option(names = "--seed", description = "override the experiment's seed")
    @Nullable Long seed;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Experiment experiment;
      try {
        experiment = ExperimentYaml.load(file);
      } catch (ConfigException e) {
        err.println("bulwark chaos run: " + file + " is not a valid experiment:");
        for (ConfigProblem p : e.problems()) {
          err.println("  " + p);
        }
        err.flush();
        return 2;
      }
      if (seed != null) {
        experiment = experiment.toBuilder().seed(seed).build();
      }
      out.println(
          "experiment "
              + experiment.name()
              + ": "
              + experiment.method().size()
              + " step(s) over "
              + experiment.duration().toMillis()
              + " ms against "
              + target);
      out.flush();
      ExperimentResult result;
      try (BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build()) {
        result =
            ExperimentRunner.builder()
                .experiment(experiment)
                .scheduler(Scheduler.system())
                .faults(new HttpFaultControl(target, token))
                .telemetry(telemetry)
                .executor(work -> Thread.ofVirtual().name("chaos-run").start(work))
                .build()
                .run();
      }
      print(out, result, ExperimentReport.write(result, reportDir));
      return result.held() ? 0 : 1;
    }

    private static void print(PrintWriter out, ExperimentResult r, List<Path> reports) {
      for (ExperimentResult.CheckResult c : r.checks()) {
        out.printf(
            Locale.ROOT,
            "  %-6s %s: %s, measured %s%s%n",
            c.passed() ? "held" : "FAILED",
            c.name(),
            c.description(),
            Double.isNaN(c.measured())
                ? "nothing"
                : String.format(Locale.ROOT, "%.4f", c.measured()),
            c.kind().equals("slo")
                ? String.format(Locale.ROOT, " (%.0f good of %.0f)", c.good(), c.total())
                : "");
      }
      for (ExperimentResult.BudgetSpent b : r.budgets()) {
        out.printf(
            Locale.ROOT,
            "  budget %s: %.0f bad of %.1f allowed (%.1f %% spent)%n",
            b.slo(),
            b.badEvents(),
            b.allowedBadEvents(),
            100 * b.spent());
      }
      out.println("report: " + reports.get(1) + " (JSON: " + reports.get(0) + ")");
      out.println("VERDICT " + r.verdict() + ": " + r.reason());
      out.flush();
    }
  }
}
