package io.bulwark.cli;

import io.bulwark.core.config.ConfigException;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.RuntimeStartException;
import io.bulwark.runtime.SystemFile;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark up FILE [--processes]}: starts the system of a system file, prints every instance
 * with its port and zone and the system's {@code /metrics} URL, and runs until Ctrl-C (a shutdown
 * hook stops it gracefully, in reverse order). An invalid file is a usage error (exit 2) listing
 * every problem as {@code file:line: field: message}.
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

  /** Released by a test to stop a running system (Ctrl-C otherwise). */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
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
    Thread hook =
        new Thread(
            () -> {
              runtime.stop();
              stop.countDown();
            },
            "bulwark-up-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      runtime.start();
    } catch (RuntimeStartException e) {
      err.println("up: " + e.getMessage());
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
    out.println("running; Ctrl-C stops it");
    out.flush();
    stop.await();
    runtime.stop();
    removeHook(hook);
    out.println("stopped");
    out.flush();
    return 0;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting: the hook runs anyway
    }
  }
}
