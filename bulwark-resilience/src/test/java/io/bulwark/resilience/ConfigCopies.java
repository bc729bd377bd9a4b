package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Proves a record's {@code toBuilder()} copies every component, also components added later: the
 * sample must differ from the defaults in every component (checked here by reflection), so a
 * component the copy drops comes back as its default and the copy no longer equals the sample.
 */
final class ConfigCopies {
  private ConfigCopies() {}

  static <R extends Record> void copiesEveryComponent(
      R sample, R defaults, UnaryOperator<R> toBuilderBuild) {
    assertThat(componentsEqual(sample, defaults))
        .as("components of the sample that equal the default (make them differ)")
        .isEmpty();
    R copy = toBuilderBuild.apply(sample);
    assertThat(copy).isEqualTo(sample).isNotSameAs(sample);
  }

  /** {@code changed} differs from {@code sample} in exactly {@code component}. */
  static <R extends Record> void changesOnly(R sample, R changed, String component) {
    List<String> same = componentsEqual(sample, changed);
    List<String> all = names(sample);
    List<String> expected = new ArrayList<>(all);
    expected.remove(component);
    assertThat(all).contains(component);
    assertThat(same).containsExactlyElementsOf(expected);
  }

  private static List<String> names(Record r) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      out.add(c.getName());
    }
    return out;
  }

  private static List<String> componentsEqual(Record a, Record b) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : a.getClass().getRecordComponents()) {
      if (Objects.equals(value(c, a), value(c, b))) {
        out.add(c.getName());
      }
    }
    return out;
  }

  private static @Nullable Object value(RecordComponent c, Record r) {
    try {
      c.getAccessor().setAccessible(true);
      return c.getAccessor().invoke(r);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new AssertionError("cannot read " + c.getName(), e);
    }
  }
}
