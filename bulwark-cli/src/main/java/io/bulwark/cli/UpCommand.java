package io.bulwark.cli;

import io.bulwark.core.config.ConfigException;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.RuntimeStartException;
import io.bulwark.runtime.SystemFile;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.runtime.dashboard.Dashboard;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark up FILE [--processes]}: starts the system of a system file, prints every instance
 * with its port and zone, the system's {@code /metrics} URL and the URL of its live dashboard
 * (served on loopback; {@code --dashboard-port}, {@code --no-dashboard}), and runs until Ctrl-C (a
 * shutdown hook stops the dashboard and then the system gracefully, in reverse order). An invalid
 * file is a usage error (exit 2) listing every problem as {@code file:line: field: message}.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Start a system of services from a YAML system file; see docs/runtime.md.",
      "Exit code: 0 after a clean stop (or a valid file with --check), 1 when it could not start,"
          + " 2 for an invalid file or bad options."
    })
final class UpCommand implements Callable<Integer> {
  @Spec CommandSpec spec = CommandSpec.create();

  @Parameters(index = "0", paramLabel = "FILE", description = "The system file (YAML).")
  Path file = Path.of("");

  @Option(names = "--processes", description = "One child JVM per instance (default: one JVM).")
  boolean processes;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Storage root (default: target/bulwark-up/<system>).")
  Path data = Path.of("");

  @Option(names = "--check", description = "Validate the file, print the services and exit.")
  boolean check;

  @Option(
      names = "--dashboard-port",
      paramLabel = "N",
      description = "Port of the live dashboard on 127.0.0.1 (default 0: any free port).")
  @Nullable Integer dashboardPort;

  @Option(names = "--no-dashboard", description = "Serve no dashboard.")
  boolean noDashboard;

  /** Released by a test to stop a running system (Ctrl-C otherwise). */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (dashboardPort != null && noDashboard) {
      err.println(
          "up: --dashboard-port " + dashboardPort + " and --no-dashboard exclude each other");
      return 2;
    }
    if (dashboardPort != null && (dashboardPort < 0 || dashboardPort > 65_535)) {
      err.println("up: --dashboard-port must be 0..65535 (0: any free port), was " + dashboardPort);
      return 2;
    }
    if (!Files.isRegularFile(file)) {
      err.println("up: " + file + ": no such file");
      return 2;
    }
    SystemModel model;
    try {
      model = SystemFile.load(file);
    } catch (ConfigException e) {
      err.println("up: " + e.getMessage());
      return 2;
    }
    out.println("system " + model.name() + ": " + model.services());
    if (check) {
      out.flush();
      return 0;
    }
    Path root = data.toString().isEmpty() ? Path.of("target", "bulwark-up", model.name()) : data;
    RuntimeOptions options = RuntimeOptions.builder(root).build();
    SystemRuntime runtime;
    try {
      runtime =
          processes
              ? SystemRuntime.processes(model, options)
              : SystemRuntime.inProcess(model, options);
    } catch (IllegalArgumentException e) {
      err.println("up: " + e.getMessage());
      return 2;
    }
    Dashboard dashboard = noDashboard ? null : dashboard(runtime);
    Thread hook =
        new Thread(
            () -> {
              close(dashboard);
              runtime.stop();
              stop.countDown();
            },
            "bulwark-up-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      runtime.start();
      if (dashboard != null) {
        dashboard.start().tick(); // its first snapshot now: the page is never empty
      }
    } catch (RuntimeStartException | IllegalStateException e) {
      err.println("up: " + e.getMessage());
      close(dashboard);
      runtime.stop();
      removeHook(hook);
      return 1;
    }
    for (InstanceHandle h : runtime.instances()) {
      out.printf(
          "  %-24s v%-10s zone %-8s http://%s:%d%n",
          h.id(), h.version(), h.zone(), "127.0.0.1", h.port());
    }
    out.println(
        "system metrics: http://127.0.0.1:"
            + runtime.systemPort()
            + "/metrics"
            + (processes ? "  (process mode; logs under " + root + ")" : ""));
    if (dashboard != null) {
      out.println("dashboard: " + dashboard.url());
    }
    out.println("running; Ctrl-C stops it");
    out.flush();
    stop.await();
    close(dashboard);
    runtime.stop();
    removeHook(hook);
    out.println("stopped");
    out.flush();
    return 0;
  }

  /**
   * The system's dashboard on loopback (built before the start so that its timeline sees every
   * instance start), showing the runtime's SLOs when its options name any.
   */
  private Dashboard dashboard(SystemRuntime runtime) {
    Dashboard.Builder b =
        Dashboard.builder(runtime).port(dashboardPort == null ? 0 : dashboardPort);
    runtime.slos().ifPresent(b::slos);
    return b.build();
  }

  private static void close(@Nullable Dashboard dashboard) {
    if (dashboard != null) {
      dashboard.close();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting: the hook runs anyway
    }
  }
}
