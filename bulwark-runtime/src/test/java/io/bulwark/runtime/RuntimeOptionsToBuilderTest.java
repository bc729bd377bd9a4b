package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@code RuntimeOptions.toBuilder()} copies every field, also fields added later: the sample
 * differs from the defaults in every field (checked by reflection), so a dropped field comes back
 * as its default and the comparison fails.
 */
class RuntimeOptionsToBuilderTest {

  @Test
  void toBuilderCopiesEveryFieldAndASetterChangesOnlyItsOwn() {
    VirtualScheduler scheduler = new VirtualScheduler();
    RuntimeOptions sample =
        RuntimeOptions.builder(Path.of("target/a"))
            .host("0.0.0.0")
            .basePort(4100)
            .leaseTtl(Duration.ofSeconds(7))
            .readinessTimeout(Duration.ofSeconds(8))
            .drainBudget(Duration.ofSeconds(9))
            .seed(42)
            .scheduler(scheduler)
            .clock(scheduler.clock())
            .build();
    RuntimeOptions defaults = RuntimeOptions.builder(Path.of("target/b")).build();
    assertThat(equalFields(sample, defaults)).as("fields equal to the default").isEmpty();
    assertThat(equalFields(sample, sample.toBuilder().build()))
        .containsExactlyElementsOf(fieldNames(sample));
    List<String> others = new ArrayList<>(fieldNames(sample));
    others.remove("seed");
    assertThat(equalFields(sample, sample.toBuilder().seed(43).build()))
        .containsExactlyElementsOf(others);
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
