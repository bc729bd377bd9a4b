package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BulwarkCliTest {

  @Test
  void helpListsTheCommands() {
    StringWriter out = new StringWriter();
    int code = new CommandLine(new BulwarkCli()).setOut(new PrintWriter(out)).execute("--help");
    assertThat(code).isZero();
    assertThat(out.toString()).contains("demo").contains("bench").contains("--version");
  }

  @Test
  void versionNamesTheBuildAndTheJava() {
    StringWriter out = new StringWriter();
    int code = new CommandLine(new BulwarkCli()).setOut(new PrintWriter(out)).execute("--version");
    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("bulwark 0.")
        .contains("Java " + Runtime.version().feature());
  }

  @Test
  void unknownCommandIsAUsageErrorNamingIt() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new BulwarkCli()).setErr(new PrintWriter(err)).execute("frobnicate");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("frobnicate");
  }

  @Test
  void benchPassesItsOwnOptionsToTheBenchmark() {
    CommandLine commandLine = BulwarkCli.commandLine();
    CommandLine.ParseResult parsed =
        commandLine.parseArgs("bench", "http", "--rounds", "5", "--quick");
    BenchCommand bench = (BenchCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(bench.name).isEqualTo("http");
    assertThat(bench.args).containsExactly("--rounds", "5", "--quick");
  }

  @Test
  void theBenchmarksJvmGetsTheLaunchersOptionsButNotItsDebuggerOrLogFile() {
    assertThat(
            BenchCommand.childJvmOptions(
                List.of(
                    "-Xmn1g",
                    "-agentlib:jdwp=transport=dt_socket,server=y,address=5005",
                    "-Dbulwark.home=/opt/bulwark",
                    "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow",
                    "-Dorg.slf4j.simpleLogger.logFile=/opt/bulwark/target/bulwark.log")))
        .containsExactly(
            "-Xmn1g",
            "-Dbulwark.home=/opt/bulwark",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");
  }
}
