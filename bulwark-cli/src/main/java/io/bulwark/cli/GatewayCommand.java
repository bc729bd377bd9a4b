package io.bulwark.cli;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.Durations;
import io.bulwark.gateway.Gateway;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark gateway --config FILE}: runs the API gateway (or sidecar) of a YAML file until
 * interrupted, reloading the file when it changes. {@code --check} only validates the file. An
 * invalid file is a usage error (exit 2) listing every problem as {@code file:line: field:
 * message}.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the Bulwark API gateway (edge or sidecar) from a YAML config; see docs/gateway.md.",
      "Exit code: 0 after a clean stop (or a valid file with --check), 1 when it could not start,"
          + " 2 for an invalid config or bad options."
    })
final class GatewayCommand implements Callable<Integer> {
  @Spec CommandSpec spec = CommandSpec.create();

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML file.")
  Path config = Path.of("");

  @Option(names = "--check", description = "Validate the file, print a summary and exit.")
  boolean check;

  @Option(
      names = "--event-loops",
      paramLabel = "N",
      description = "Event loops serving each listener (default: ${DEFAULT-VALUE}).")
  int eventLoops = 1;

  @Option(
      names = "--watch",
      paramLabel = "D",
      description = "How often to check the file for changes, e.g. 2s; 0s for never (default: 2s).")
  String watch = "2s";

  /** Released by a test (or never) to stop a running gateway. */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isRegularFile(config)) {
      err.println("gateway: --config " + config + ": no such file");
      return 2;
    }
    if (eventLoops < 1 || eventLoops > 256) {
      err.println("gateway: --event-loops must be 1 to 256, was " + eventLoops);
      return 2;
    }
    Duration interval;
    try {
      interval = Durations.parse(watch);
    } catch (IllegalArgumentException e) {
      err.println("gateway: --watch " + watch + ": " + e.getMessage());
      return 2;
    }
    GatewayConfig parsed;
    try {
      parsed = GatewayConfig.load(config);
    } catch (ConfigException e) {
      err.println("gateway: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (check) {
      out.printf(
          "ok: %s: %d listeners, %d clusters, %d routes%n",
          config, parsed.listeners().size(), parsed.clusters().size(), parsed.routes().size());
      out.flush();
      return 0;
    }
    return run(out, interval);
  }

  private int run(PrintWriter out, Duration interval) throws InterruptedException {
    BulwarkTelemetry telemetry = BulwarkTelemetry.builder().serviceName("gateway").build();
    Gateway.Builder builder =
        Gateway.builder(config)
            .eventLoops(eventLoops)
            .telemetry(telemetry)
            .onReloadError(e -> spec.commandLine().getErr().println("gateway: " + e.getMessage()));
    if (!interval.isZero()) {
      builder.watch(interval);
    }
    try (Gateway gateway = builder.start()) {
      Thread hook = new Thread(stop::countDown, "gateway-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      for (String name : gateway.config().listeners().keySet()) {
        out.printf("gateway listener %s listening on port %d%n", name, gateway.port(name));
      }
      if (gateway.adminPort() >= 0) {
        out.printf("gateway admin API on port %d%n", gateway.adminPort());
      }
      out.flush();
      stop.await();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook ran
      }
      return 0;
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("gateway: could not start: " + e.getMessage());
      return 1;
    } finally {
      telemetry.close();
    }
  }
}
