package io.bulwark.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bulwark} command. Subcommands are listed here as modules add them; each is a small
 * class in this package that calls the module's public API.
 */
@Command(
    name = "bulwark",
    mixinStandardHelpOptions = true,
    versionProvider = BulwarkCli.Version.class,
    description =
        "Bulwark: distributed systems designed to fail, tested to fail, proven to recover.",
    subcommands = {
      DemoCommand.class,
      BenchCommand.class,
      ChaosCommand.class,
      GatewayCommand.class,
      UpCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BulwarkCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create();

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (0 ok, 1 failure, 2 usage error). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line: {@code bench NAME --quick} passes {@code --quick} on. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new BulwarkCli());
    CommandLine bench = Objects.requireNonNull(commandLine.getSubcommands().get("bench"));
    bench.setUnmatchedOptionsArePositionalParams(true);
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version the build wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties props = new Properties();
      try (InputStream in = BulwarkCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          props.load(in);
        }
      }
      return new String[] {
        "bulwark " + props.getProperty("version", "unknown"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
