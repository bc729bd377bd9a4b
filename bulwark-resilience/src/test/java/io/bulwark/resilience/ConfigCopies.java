package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Proves a config's {@code toBuilder()} copies every field, also fields added later: the sample
 * must differ from the defaults in every field (checked here by reflection), so a field the copy
 * drops comes back as its default and the copy no longer equals the sample.
 */
final class ConfigCopies {
  private ConfigCopies() {}

  static <C> void copiesEveryComponent(C sample, C defaults, UnaryOperator<C> toBuilderBuild) {
    assertThat(fieldsEqual(sample, defaults))
        .as("fields of the sample that equal the default (make them differ)")
        .isEmpty();
    C copy = toBuilderBuild.apply(sample);
    assertThat(copy).isEqualTo(sample).isNotSameAs(sample).hasSameHashCodeAs(sample);
    assertThat(fieldsEqual(sample, copy)).containsExactlyElementsOf(names(sample));
  }

  /** {@code changed} differs from {@code sample} in exactly {@code field}. */
  static <C> void changesOnly(C sample, C changed, String field) {
    List<String> expected = new ArrayList<>(names(sample));
    assertThat(expected).contains(field);
    expected.remove(field);
    assertThat(fieldsEqual(sample, changed)).containsExactlyElementsOf(expected);
    assertThat(changed).isNotEqualTo(sample);
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

  private static List<String> names(Object o) {
    return fields(o).stream().map(Field::getName).toList();
  }

  private static List<String> fieldsEqual(Object a, Object b) {
    List<String> out = new ArrayList<>();
    for (Field f : fields(a)) {
      if (Objects.equals(value(f, a), value(f, b))) {
        out.add(f.getName());
      }
    }
    return out;
  }

  private static @Nullable Object value(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new AssertionError("cannot read " + f.getName(), e);
    }
  }
}
