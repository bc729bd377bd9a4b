package io.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.chaos.experiment.ChaosFaultControl;
import io.bulwark.chaos.experiment.ExperimentYaml;
import io.bulwark.chaos.experiment.HttpFaultControl;
import io.bulwark.chaos.experiment.StepFault;
import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigProblem;
import io.bulwark.core.config.Durations;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark chaos fault start|list|clear|clear-all}: the faults of a running service, through
 * its chaos admin endpoint ({@code ChaosRoutes}). Exit codes: 0 done, 1 the service refused or
 * could not be reached (its own message is printed), 2 bad input (the message names the value and
 * the option it came from) — nothing is sent for bad input.
 */
@Command(
    name = "fault",
    mixinStandardHelpOptions = true,
    description = "Start, list and clear the faults of a running Bulwark service.",
    subcommands = {
      ChaosFaultCommand.Start.class,
      ChaosFaultCommand.ListFaults.class,
      ChaosFaultCommand.Clear.class,
      ChaosFaultCommand.ClearAll.class
    })
final class ChaosFaultCommand implements Runnable {
  /** The environment variable read for the admin token when {@code --token} is not given. */
  static final String TOKEN_ENV = "BULWARK_CHAOS_TOKEN";

  @Spec CommandSpec spec = CommandSpec.create();

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Bad input: exit 2, nothing sent. */
  static final class BadInput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadInput(String message) {
      super(message);
    }
  }

  /** The options every fault command takes: where the service is and how to authenticate. */
  static final class Target {
    @Option(
        names = "--target",
        required = true,
        description = "base URL of the service with the chaos admin routes")
    String target = "";

    @Option(
        names = "--token",
        description =
            "the admin token (required for a service not on loopback; else $" + TOKEN_ENV + ")")
    @Nullable String token;

    /** Reads the environment; tests replace it. */
    static Function<String, @Nullable String> env = System::getenv;

    HttpFaultControl control() {
      URI uri;
      try {
        uri = new URI(target);
      } catch (URISyntaxException e) {
        throw new BadInput("--target: not a URL: \"" + target + "\" (" + e.getReason() + ")");
      }
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null) {
        throw new BadInput(
            "--target: expected http://HOST:PORT or https://HOST:PORT, was \"" + target + "\"");
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new BadInput(
            "--target: a base URL takes no query or fragment, was \"" + target + "\"");
      }
      String t = token != null ? token : env.apply(TOKEN_ENV);
      if (t != null && t.isBlank()) {
        throw new BadInput(
            (token != null ? "--token" : "$" + TOKEN_ENV) + ": the admin token must not be blank");
      }
      if (t == null && !isLoopback(uri.getHost())) {
        throw new BadInput(
            "--target: "
                + uri.getHost()
                + " is not a loopback address; its chaos admin routes need --token or $"
                + TOKEN_ENV);
      }
      return new HttpFaultControl(uri, t);
    }

    private static boolean isLoopback(String host) {
      String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      if (h.equalsIgnoreCase("localhost")) {
        return true;
      }
      if (!Character.isDigit(h.charAt(0)) && h.indexOf(':') < 0) {
        return false; // a name other than localhost: no lookup, not taken as loopback
      }
      try {
        return InetAddress.getByName(h).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }

  /** Runs {@code work}, mapping bad input to 2 and the service's refusals to 1. */
  static int guarded(CommandSpec spec, String verb, Callable<Integer> work) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return work.call();
    } catch (BadInput e) {
      err.println("bulwark chaos fault " + verb + ": " + e.getMessage());
      return 2;
    } catch (HttpFaultControl.Refused e) {
      err.println("bulwark chaos fault " + verb + ": refused: " + e.getMessage());
      return 1;
    } catch (UncheckedIOException | IllegalStateException e) {
      err.println("bulwark chaos fault " + verb + ": failed: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("bulwark chaos fault " + verb + ": failed: " + e);
      return 1;
    } finally {
      err.flush();
      spec.commandLine().getOut().flush();
    }
  }

  /**
   * {@code start --target URL --fault '{type: http-error, status: 503}' --radius '{points:
   * [http-server], route: /orders/*, percent: 30}' --duration 5m}.
   */
  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Start a fault; prints its id and expiry.")
  static final class Start implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();
    @Mixin Target target = new Target();

    @Option(
        names = "--fault",
        required = true,
        description =
            "the fault as in an experiment step, YAML: '{type: http-error, status: 503}',"
                + " '{type: latency, delay: 200ms}', '{type: blackhole}'...")
    String fault = "";

    @Option(
        names = "--radius",
        description =
            "the blast radius as in an experiment step, YAML: '{points: [http-server],"
                + " service: S, instance: I, route: /a/*, percent: 30, cohort: C}'")
    @Nullable String radius;

    @Option(
        names = "--duration",
        required = true,
        description = "how long the fault stays active (it always expires): 30s, 5m...")
    String duration = "";

    @Option(names = "--experiment", description = "the experiment (cohort) the fault belongs to")
    String experiment = "";

    @Option(names = "--seed", description = "the seed of percentage decisions (default 0)")
    long seed;

    @Override
    public Integer call() {
      return guarded(
          spec,
          "start",
          () -> {
            JsonNode body = body();
            HttpFaultControl control = target.control();
            JsonNode started = control.start(body);
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                "started "
                    + started.path("id").asText()
                    + " ("
                    + started.path("type").asText()
                    + ") until "
                    + started.path("expires-at").asText());
            return 0;
          });
    }

    /** The admin JSON, checked by the chaos engine's own parser before anything is sent. */
    JsonNode body() {
      Duration ttl;
      try {
        ttl = Durations.parse(duration);
      } catch (IllegalArgumentException e) {
        throw new BadInput("--duration: " + e.getMessage());
      }
      if (ttl.isZero() || ttl.isNegative()) {
        throw new BadInput("--duration: must be positive, was \"" + duration + "\"");
      }
      if (!experiment.isEmpty() && !experiment.matches("[A-Za-z0-9_.:/*-]{1,128}")) {
        throw new BadInput(
            "--experiment: must be 1..128 of [A-Za-z0-9_.:/*-], was \"" + experiment + "\"");
      }
      StepFault step;
      try {
        step = ExperimentYaml.parseFault(fault, "--fault", radius, "--radius");
      } catch (ConfigException e) {
        StringBuilder b = new StringBuilder();
        for (ConfigProblem p : e.problems()) {
          b.append(b.isEmpty() ? "" : "; ").append(p);
        }
        throw new BadInput(b.toString());
      } catch (IllegalArgumentException e) {
        throw new BadInput("--fault: " + e.getMessage());
      }
      try {
        ChaosFaultControl.toSpec(step, ttl, experiment, seed);
      } catch (IllegalArgumentException e) {
        throw new BadInput(
            (e.getMessage() != null && e.getMessage().startsWith("radius")
                    ? "--radius "
                    : "--fault ")
                + e.getMessage());
      }
      return step.toJson(ttl, experiment, seed);
    }
  }

  /** {@code list --target URL}: one line per active fault. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the active faults with their expiry and injection counts.")
  static final class ListFaults implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();
    @Mixin Target target = new Target();

    @Option(names = "--json", description = "print the service's JSON, one fault a line")
    boolean json;

    @Override
    public Integer call() {
      return guarded(
          spec,
          "list",
          () -> {
            List<JsonNode> faults = target.control().list();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
              faults.forEach(out::println);
              return 0;
            }
            if (faults.isEmpty()) {
              out.println("no active faults");
              return 0;
            }
            out.printf(
                Locale.ROOT,
                "%-10s %-16s %-12s %-26s %10s  %s%n",
                "ID",
                "TYPE",
                "EXPERIMENT",
                "EXPIRES",
                "INJECTED",
                "RADIUS");
            for (JsonNode f : faults) {
              out.printf(
                  Locale.ROOT,
                  "%-10s %-16s %-12s %-26s %10d  %s%n",
                  f.path("id").asText(),
                  f.path("type").asText(),
                  f.path("experiment").asText().isEmpty() ? "-" : f.path("experiment").asText(),
                  f.path("expires-at").asText(),
                  f.path("injections").asLong(),
                  f.path("radius").asText());
            }
            return 0;
          });
    }
  }

  /** {@code clear ID --target URL}: exit 1 when the service has no such fault. */
  @Command(name = "clear", mixinStandardHelpOptions = true, description = "Clear one fault by id.")
  static final class Clear implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();
    @Mixin Target target = new Target();

    @Parameters(index = "0", paramLabel = "ID", description = "the fault id (see list)")
    String id = "";

    @Override
    public Integer call() {
      return guarded(
          spec,
          "clear",
          () -> {
            if (!id.matches("[A-Za-z0-9_.:-]{1,128}")) {
              throw new BadInput("ID: not a fault id: \"" + id + "\"");
            }
            if (!target.control().clear(id)) {
              spec.commandLine()
                  .getErr()
                  .println("bulwark chaos fault clear: no active fault " + id);
              return 1;
            }
            spec.commandLine().getOut().println("cleared " + id);
            return 0;
          });
    }
  }

  /** {@code clear-all --target URL}: prints how many were cleared. */
  @Command(
      name = "clear-all",
      mixinStandardHelpOptions = true,
      description = "Clear every active fault of the service.")
  static final class ClearAll implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();
    @Mixin Target target = new Target();

    @Override
    public Integer call() {
      return guarded(
          spec,
          "clear-all",
          () -> {
            int n = target.control().clearAll();
            spec.commandLine().getOut().println("cleared " + n + " fault(s)");
            return 0;
          });
    }
  }
}
