package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.kit.ConfigCopies;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoOptionsTest {
  private static final ConfigCopies COPIES = ConfigCopies.using(MethodHandles.lookup());

  @Test
  void durationsReadAsTheyAreWritten() {
    assertThat(DemoOptions.parseDuration("60s")).isEqualTo(Duration.ofSeconds(60));
    assertThat(DemoOptions.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DemoOptions.parseDuration("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DemoOptions.parseDuration("90")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DemoOptions.parseDuration(" 1H ")).isEqualTo(Duration.ofHours(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5x", "-1s", "", "1.5s", "s", "1234567s"})
  void aMalformedDurationIsRefusedNamingIt(String text) {
    assertThatThrownBy(() -> DemoOptions.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  @Test
  void theDefaultsAreValidAndEverySetterNamesItsBadValue() {
    DemoOptions defaults = DemoOptions.builder().build();
    assertThat(defaults.scenario()).isEqualTo("game-day");
    assertThat(defaults.resilience()).isTrue();
    assertThat(defaults.duration()).isEqualTo(DemoOptions.DEFAULT_DURATION);
    assertThatThrownBy(() -> DemoOptions.builder().scenario("nope")).hasMessageContaining("nope");
    assertThatThrownBy(() -> DemoOptions.builder().rate(0)).hasMessageContaining("0.0");
    assertThatThrownBy(() -> DemoOptions.builder().duration(Duration.ofMillis(10)))
        .hasMessageContaining("10ms");
    assertThatThrownBy(() -> DemoOptions.builder().warmup(Duration.ofMillis(500)))
        .hasMessageContaining("500ms");
    assertThat(DemoOptions.builder().warmup(Duration.ZERO).build().warmup()).isZero();
    assertThatThrownBy(() -> DemoOptions.builder().basePort(-1).build()).hasMessageContaining("-1");
    assertThatThrownBy(() -> DemoOptions.builder().basePort(65530).build())
        .hasMessageContaining("65530");
  }

  @Test
  void builderOnlyAndToBuilderCopiesEveryField() {
    assertThat(DemoOptions.class.getConstructors()).as("no public constructor").isEmpty();
    DemoOptions defaults = DemoOptions.builder().build();
    DemoOptions sample =
        DemoOptions.builder()
            .scenario("bad-deploy")
            .resilience(false)
            .compare(true)
            .headless(true)
            .duration(Duration.ofSeconds(30))
            .warmup(Duration.ofSeconds(2))
            .rate(25)
            .seed(7)
            .basePort(20000)
            .storage(Path.of("data"))
            .reportDir(Path.of("report"))
            .backends(Set.of(Backend.KAFKA, Backend.POSTGRES))
            .processes(true)
            .build();
    assertThat(COPIES.equalFields(sample, defaults))
        .as("fields of the sample that equal the default (make them differ)")
        .isEmpty();
    DemoOptions copy = sample.toBuilder().build();
    assertThat(copy).isEqualTo(sample).isNotSameAs(sample).hasSameHashCodeAs(sample);
    assertThat(COPIES.equalFields(sample, copy))
        .containsExactlyElementsOf(COPIES.fieldNames(sample));
    assertThat(copy.toString()).isEqualTo(sample.toString()).contains("scenario=bad-deploy");
    DemoOptions changed = sample.toBuilder().seed(8).build();
    List<String> expected = new ArrayList<>(COPIES.fieldNames(sample));
    expected.remove("seed");
    assertThat(COPIES.equalFields(sample, changed)).containsExactlyElementsOf(expected);
    assertThat(changed).isNotEqualTo(sample);
    assertThatThrownBy(() -> sample.toBuilder().basePort(70000)).hasMessageContaining("70000");
  }

  @Test
  void backendListsParseAndBadOnesAreRefusedNamingTheValueAndTheKnownNames() {
    assertThat(Backend.parseList("kafka,postgres"))
        .containsExactlyInAnyOrder(Backend.KAFKA, Backend.POSTGRES);
    assertThat(Backend.parseList(" postgres ")).containsExactly(Backend.POSTGRES);
    assertThat(Backend.parseList("embedded")).containsExactly(Backend.EMBEDDED);
    assertThat(DemoOptions.builder().build().backends()).containsExactly(Backend.EMBEDDED);
    assertThatThrownBy(() -> Backend.parseList("kafka,rabbit"))
        .hasMessageContaining("\"rabbit\"")
        .hasMessageContaining("known: embedded, kafka, postgres");
    assertThatThrownBy(() -> Backend.parseList("postgres,postgres"))
        .hasMessageContaining("\"postgres\" is named twice");
    assertThatThrownBy(() -> Backend.parseList("")).hasMessageContaining("one or more of");
    assertThatThrownBy(() -> Backend.parseList("kafka,,postgres"))
        .hasMessageContaining("unknown backend \"\"");
    assertThatThrownBy(() -> Backend.parseList("Kafka")).hasMessageContaining("\"Kafka\"");
    assertThatThrownBy(() -> Backend.parseList("embedded,kafka"))
        .hasMessageContaining("embedded cannot be combined");
    assertThatThrownBy(() -> DemoOptions.builder().backends(Set.of()))
        .hasMessageContaining("one or more of");
  }
}
