package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.demo.Backend;
import io.bulwark.examples.shop.demo.DemoOptions;
import io.bulwark.examples.shop.gameday.Scenario;
import io.bulwark.examples.shop.gameday.Scenarios;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code bulwark demo}'s command line: options, bad input, scenarios, storage errors. */
class DemoCommandTest {
  private final StringWriter err = new StringWriter();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream demoErr = new ByteArrayOutputStream();

  private int execute(String... args) {
    CommandLine commandLine = BulwarkCli.commandLine().setErr(new PrintWriter(err));
    DemoCommand demo =
        (DemoCommand) commandLine.getSubcommands().get("demo").getCommandSpec().userObject();
    demo.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    demo.err = new PrintStream(demoErr, true, StandardCharsets.UTF_8);
    return commandLine.execute(args);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--scenario|chaos-monkey|\"chaos-monkey\"",
        "--duration|5x|\"5x\"",
        "--duration|0s|0ms",
        "--duration|25h|90000000ms",
        "--warmup|-5s|\"-5s\"",
        "--warmup|11m|660000ms",
        "--rate|-3|-3.0",
        "--rate|0|0.0",
        "--rate|fast|fast",
        "--resilience|maybe|\"maybe\"",
        "--port|70000|70000",
        "--seed|x1|x1"
      })
  void badInputIsAUsageErrorNamingTheValue(String option, String value, String named) {
    int code = execute("demo", option, value, "--headless");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(named);
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("starting the shop");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "kafka,mysql|unknown backend \"mysql\"|ok",
        "redis|unknown backend \"redis\"|ok",
        "kafka,kafka|\"kafka\" is named twice|none",
        "' '|one or more of embedded, kafka, postgres|none",
        "kafka,|unknown backend \"\"|ok",
        "embedded,postgres|embedded cannot be combined|none"
      })
  void aBadBackendListIsAUsageErrorNamingTheValueAndTheKnownOnes(
      String value, String named, String listsKnown) {
    int code = execute("demo", "--backend", value, "--headless");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--backend \"" + value + "\"").contains(named);
    if (listsKnown.equals("ok")) {
      assertThat(err.toString()).contains("known: embedded, kafka, postgres");
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .doesNotContain("starting Kafka")
        .doesNotContain("starting the shop");
  }

  @Test
  void backendsReachTheDemo() {
    CommandLine commandLine = BulwarkCli.commandLine();
    for (String[] c :
        new String[][] {
          {"kafka,postgres", "[KAFKA, POSTGRES]"},
          {"postgres , kafka", "[KAFKA, POSTGRES]"},
          {"kafka", "[KAFKA]"},
          {"postgres", "[POSTGRES]"},
          {"embedded", "[EMBEDDED]"}
        }) {
      CommandLine.ParseResult parsed = commandLine.parseArgs("demo", "--backend", c[0]);
      DemoCommand demo = (DemoCommand) parsed.subcommand().commandSpec().userObject();
      assertThat(new TreeSet<>(demo.options().backends())).hasToString(c[1]);
    }
    CommandLine.ParseResult parsed = BulwarkCli.commandLine().parseArgs("demo");
    DemoCommand demo = (DemoCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(demo.options().backends()).containsExactly(Backend.EMBEDDED);
  }

  @Test
  void anUnknownFlagIsAUsageErrorNamingIt() {
    assertThat(execute("demo", "--frobnicate")).isEqualTo(2);
    assertThat(err.toString()).contains("--frobnicate");
  }

  @Test
  void listScenariosPrintsEveryScenarioOnItsOwnLineAndExitsZero() {
    assertThat(execute("demo", "--list-scenarios")).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    List<Scenario> all = Scenarios.all();
    assertThat(lines).hasSize(all.size());
    for (int i = 0; i < all.size(); i++) {
      Scenario s = all.get(i);
      assertThat(lines.get(i)).as("line %d", i).startsWith(s.name() + " ").contains(s.summary());
    }
    assertThat(lines.stream().filter(l -> l.endsWith("(default)")))
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith(Scenarios.DEFAULT + " "));
    assertThat(err.toString()).isEmpty();
    assertThat(demoErr.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void theWarmupDefaultsToTenSecondsInProcessAndThirtyWithProcessesUnlessGiven() {
    assertThat(warmupOf("demo")).isEqualTo(Duration.ofSeconds(10));
    assertThat(warmupOf("demo", "--processes")).isEqualTo(Duration.ofSeconds(30));
    assertThat(warmupOf("demo", "--processes", "--warmup", "5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(warmupOf("demo", "--processes", "--warmup", "0")).isZero();
    assertThat(warmupOf("demo", "--warmup", "45s")).isEqualTo(Duration.ofSeconds(45));
  }

  private static Duration warmupOf(String... args) {
    CommandLine.ParseResult parsed = BulwarkCli.commandLine().parseArgs(args);
    return ((DemoCommand) parsed.subcommand().commandSpec().userObject()).options().warmup();
  }

  @Test
  void optionsReachTheDemo() {
    CommandLine commandLine = BulwarkCli.commandLine();
    CommandLine.ParseResult parsed =
        commandLine.parseArgs(
            "demo",
            "--scenario",
            "bad-deploy",
            "--resilience",
            "off",
            "--duration",
            "2m",
            "--rate",
            "25",
            "--seed",
            "9",
            "--port",
            "20000",
            "--warmup",
            "0",
            "--headless");
    DemoCommand demo = (DemoCommand) parsed.subcommand().commandSpec().userObject();
    DemoOptions options = demo.options();
    assertThat(options.scenario()).isEqualTo("bad-deploy");
    assertThat(options.resilience()).isFalse();
    assertThat(options.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(options.rate()).isEqualTo(25);
    assertThat(options.warmup()).isZero();
    assertThat(options.seed()).isEqualTo(9);
    assertThat(options.basePort()).isEqualTo(20000);
    assertThat(options.headless()).isTrue();
    assertThat(options.compare()).isFalse();
  }

  @Test
  void storageThatCannotBeWrittenFailsNamingItAndStartsNothing(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    int code = execute("demo", "--headless", "--duration", "5s", "--storage", file.toString());
    assertThat(code).isEqualTo(1);
    assertThat(demoErr.toString(StandardCharsets.UTF_8))
        .contains(file.toString())
        .contains("cannot be written");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ready");
  }
}
