package io.bulwark.test.kit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Proves that a config's {@code toBuilder()} copies every field, also fields added later: the
 * sample must differ from the defaults in every field (checked by reflection over the config's
 * declared instance fields), so a field the copy drops comes back as its default and is reported by
 * name.
 *
 * <p>Fields are read through the caller's {@link MethodHandles.Lookup}, so a test in the config's
 * own module reads its private fields without opening the package:
 *
 * <pre>{@code
 * private static final ConfigCopies COPIES = ConfigCopies.using(MethodHandles.lookup());
 *
 * COPIES.copiesEveryField(sample, Config.builder().build(), sample.toBuilder().build());
 * COPIES.changesOnly(sample, sample.toBuilder().poolSize(9).build(), "poolSize");
 * }</pre>
 */
public final class ConfigCopies {
  private final MethodHandles.Lookup lookup;

  private ConfigCopies(MethodHandles.Lookup lookup) {
    this.lookup = lookup;
  }

  /** Reads fields with {@code lookup}: pass {@code MethodHandles.lookup()} of the test class. */
  public static ConfigCopies using(MethodHandles.Lookup lookup) {
    return new ConfigCopies(Objects.requireNonNull(lookup, "lookup"));
  }

  /**
   * Asserts that {@code sample} differs from {@code defaults} in every field and that {@code copy}
   * (the sample's {@code toBuilder().build()}) equals the sample in every field.
   */
  public void copiesEveryField(Object sample, Object defaults, Object copy) {
    assertThat(equalFields(sample, defaults))
        .as("fields of the sample that equal the default (make them differ)")
        .isEmpty();
    assertThat(equalFields(sample, copy))
        .as("fields the copy keeps")
        .containsExactlyElementsOf(fieldNames(sample));
  }

  /** Asserts that {@code changed} differs from {@code sample} in {@code field} and nothing else. */
  public void changesOnly(Object sample, Object changed, String field) {
    List<String> expected = new ArrayList<>(fieldNames(sample));
    assertThat(expected).as("fields of %s", sample.getClass().getName()).contains(field);
    expected.remove(field);
    assertThat(equalFields(sample, changed))
        .as("fields unchanged by setting %s", field)
        .containsExactlyElementsOf(expected);
  }

  /** The names of {@code config}'s declared instance fields, in declaration order. */
  public List<String> fieldNames(Object config) {
    return fields(config.getClass()).stream().map(Field::getName).toList();
  }

  /** The names of the fields whose values are equal in {@code a} and {@code b}. */
  public List<String> equalFields(Object a, Object b) {
    List<String> out = new ArrayList<>();
    for (Field f : fields(a.getClass())) {
      if (Objects.equals(value(f, a), value(f, b))) {
        out.add(f.getName());
      }
    }
    return out;
  }

  private static List<Field> fields(Class<?> type) {
    List<Field> out = new ArrayList<>();
    for (Field f : type.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        out.add(f);
      }
    }
    return out;
  }

  private @Nullable Object value(Field f, Object o) {
    try {
      MethodHandle getter =
          MethodHandles.privateLookupIn(f.getDeclaringClass(), lookup).unreflectGetter(f);
      return getter.invoke(o);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new AssertionError("cannot read field " + f.getName() + " of " + o.getClass(), e);
    }
  }
}
