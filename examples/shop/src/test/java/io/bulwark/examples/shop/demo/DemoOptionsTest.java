package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoOptionsTest {

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
            .build();
    assertThat(equalFields(sample, defaults))
        .as("fields of the sample that equal the default (make them differ)")
        .isEmpty();
    DemoOptions copy = sample.toBuilder().build();
    assertThat(copy).isEqualTo(sample).isNotSameAs(sample).hasSameHashCodeAs(sample);
    assertThat(equalFields(sample, copy)).containsExactlyElementsOf(fieldNames(sample));
    assertThat(copy.toString()).isEqualTo(sample.toString()).contains("scenario=bad-deploy");
    DemoOptions changed = sample.toBuilder().seed(8).build();
    List<String> expected = new ArrayList<>(fieldNames(sample));
    expected.remove("seed");
    assertThat(equalFields(sample, changed)).containsExactlyElementsOf(expected);
    assertThat(changed).isNotEqualTo(sample);
    assertThatThrownBy(() -> sample.toBuilder().basePort(70000)).hasMessageContaining("70000");
  }

  private static List<Field> fields(Object o) {
    List<Field> out = new ArrayList<>();
    for (Field f : o.getClass().getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        out.add(f);
      }
    }
    return out;
  }

  private static List<String> fieldNames(Object o) {
    return fields(o).stream().map(Field::getName).toList();
  }

  private static List<String> equalFields(Object a, Object b) {
    List<String> out = new ArrayList<>();
    for (Field f : fields(a)) {
      if (Objects.equals(get(f, a), get(f, b))) {
        out.add(f.getName());
      }
    }
    return out;
  }

  private static @Nullable Object get(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new AssertionError(f.getName(), e);
    }
  }
}
