package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.examples.shop.ShopBackends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's local Kafka and PostgreSQL: nothing for the embedded backend, and a backend that
 * cannot start is named with its directory and the reason, with whatever had started already
 * stopped.
 */
class LocalBackendsTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void embeddedStartsNothing(@TempDir Path dir) {
    try (LocalBackends b = LocalBackends.start(Set.of(Backend.EMBEDDED), dir, out)) {
      assertThat(b.backends()).isEqualTo(ShopBackends.EMBEDDED);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void aKafkaThatCannotStartIsNamedWithItsDirectory(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kafka"), "in the way");
    assertThatThrownBy(() -> LocalBackends.start(Set.of(Backend.KAFKA), dir, out))
        .isInstanceOf(LocalBackends.BackendStartException.class)
        .hasMessageStartingWith("Kafka could not start in " + dir.resolve("kafka"));
  }

  @Test
  void aPostgresThatCannotStartStopsTheKafkaStartedBeforeIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("postgres"), "in the way");
    assertThatThrownBy(() -> LocalBackends.start(Set.of(Backend.KAFKA, Backend.POSTGRES), dir, out))
        .isInstanceOf(LocalBackends.BackendStartException.class)
        .hasMessageStartingWith("PostgreSQL could not start in " + dir.resolve("postgres"));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    Matcher pid =
        Pattern.compile("Kafka ready at \\S+ in \\d+ ms \\(pid (\\d+)\\)").matcher(printed);
    assertThat(pid.find()).as(printed).isTrue();
    ProcessHandle broker = ProcessHandle.of(Long.parseLong(pid.group(1))).orElse(null);
    assertThat(broker == null || !broker.isAlive()).as("the broker is stopped").isTrue();
  }
}
