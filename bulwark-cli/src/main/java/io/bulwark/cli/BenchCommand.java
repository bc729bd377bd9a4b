package io.bulwark.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark bench NAME}: runs one side-by-side benchmark from the benchmarks module in a child
 * JVM and passes its output through; the last line is {@code RESULT <name> ... ratio=<x>}.
 *
 * <p>The child gets this JVM's own options (those the {@code bulwark} launcher chose: {@code
 * --sun-misc-unsafe-memory-access=allow} and {@code --enable-native-access} as services run with,
 * the role's options such as {@code bench gateway}'s {@code -Xmn1g}, and {@code
 * BULWARK_JAVA_OPTS}), so a benchmark measures what users run.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Run one benchmark against its anchor and print the ratio (bench list: all names).")
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "benchmark name, or 'list'")
  String name = "list";

  @Parameters(index = "1..*", paramLabel = "ARG", description = "passed to the benchmark")
  List<String> args = new ArrayList<>();

  BenchCommand() {
    this.spec = CommandSpec.create();
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path home = Path.of(System.getProperty("bulwark.home", "."));
    Path jar = home.resolve("benchmarks/target/benchmarks.jar");
    if (!Files.isRegularFile(jar)) {
      spec.commandLine()
          .getErr()
          .println(
              "bulwark bench: "
                  + jar
                  + " is missing; run ./bulwark (it builds it) or ./mvnw package");
      return 1;
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(childJvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    command.add("-jar");
    command.add(jar.toString());
    command.add(name);
    command.addAll(args);
    Process process = new ProcessBuilder(command).inheritIO().start();
    return process.waitFor();
  }

  /**
   * The options of this JVM that the benchmark's JVM gets too: all but a debugger agent (its port
   * is taken by this JVM) and the CLI's own log file.
   */
  static List<String> childJvmOptions(List<String> own) {
    List<String> options = new ArrayList<>();
    for (String o : own) {
      if (o.startsWith("-agentlib:jdwp") || o.startsWith("-Dorg.slf4j.simpleLogger.logFile=")) {
        continue;
      }
      options.add(o);
    }
    return options;
  }
}
