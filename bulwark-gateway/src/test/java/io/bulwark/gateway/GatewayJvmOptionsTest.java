package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The gateway role's JVM options ({@code io/bulwark/gateway/gateway.jvm-options}, read by the
 * {@code bulwark} launcher for {@code bulwark gateway} and by the gateway benchmark's child): they
 * name a collector and a young-generation size, a real JVM starts with them without a warning, and
 * its final flags are the ones the file asks for (switches, {@code -Xmn} and sized {@code -XX}
 * options).
 */
class GatewayJvmOptionsTest {
  static final String FILE = "io/bulwark/gateway/gateway.jvm-options";
  private static final Pattern SIZE = Pattern.compile("-Xmn(\\d+)([kKmMgG]?)");
  private static final Pattern SIZED_FLAG = Pattern.compile("-XX:(\\w+)=(\\d+)([kKmMgG]?)");

  @Test
  void theRoleOptionsNameACollectorAndAYoungGenerationSizeThatAJvmAppliesWithoutWarning()
      throws Exception {
    List<String> options = roleOptions();
    assertThat(options).anyMatch(o -> o.matches("-XX:\\+Use\\w+GC"));
    assertThat(options).anyMatch(o -> SIZE.matcher(o).matches());

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(options);
    cmd.add("-XX:+PrintFlagsFinal");
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    // the JVM's own warnings ("... VM warning: ...", "[warning][gc,ergo] ..."), not flag names
    assertThat(out.lines().filter(l -> l.matches("(?i).*(warning:|\\[warning\\]).*"))).isEmpty();
    for (String o : options) {
      Matcher size = SIZE.matcher(o);
      Matcher sized = SIZED_FLAG.matcher(o);
      if (sized.matches()) {
        long bytes = Long.parseLong(sized.group(2)) << shift(sized.group(3));
        assertThat(flag(out, sized.group(1))).as(o).isEqualTo(Long.toString(bytes));
      } else if (o.startsWith("-XX:+")) {
        assertThat(flag(out, o.substring(5))).as(o).isEqualTo("true");
      } else if (size.matches()) {
        long bytes = Long.parseLong(size.group(1)) << shift(size.group(2));
        assertThat(flag(out, "NewSize")).as(o).isEqualTo(Long.toString(bytes));
        assertThat(flag(out, "MaxNewSize")).as(o).isEqualTo(Long.toString(bytes));
      }
    }
  }

  @Test
  void theLauncherGivesTheSameFileToTheGatewayRole() throws IOException {
    Path launcher = Path.of("").toAbsolutePath().resolveSibling("bulwark"); // the module's parent
    String script = Files.readString(launcher);
    assertThat(script)
        .contains("\"${1:-}\" = \"gateway\"")
        .contains("bulwark-gateway/src/main/resources/" + FILE)
        .contains("${role_opts[@]+\"${role_opts[@]}\"} ${BULWARK_JAVA_OPTS:-}");
  }

  /** The file as the launcher reads it: one option a line, blank lines and # comments skipped. */
  static List<String> roleOptions() throws IOException {
    try (InputStream in = GatewayJvmOptionsTest.class.getResourceAsStream("/" + FILE)) {
      if (in == null) {
        throw new AssertionError(FILE + " is not on the class path");
      }
      List<String> options = new ArrayList<>();
      new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(t -> !t.isEmpty() && !t.startsWith("#"))
          .forEach(options::add);
      return options;
    }
  }

  private static String flag(String printFlagsFinal, String name) {
    Matcher m =
        Pattern.compile("\\s" + Pattern.quote(name) + "\\s+=\\s+(\\S+)").matcher(printFlagsFinal);
    assertThat(m.find()).as(name + " in -XX:+PrintFlagsFinal").isTrue();
    return m.group(1);
  }

  private static int shift(String unit) {
    return switch (unit.toLowerCase(java.util.Locale.ROOT)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
  }
}
