package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandles;
import java.util.function.UnaryOperator;

/**
 * The test kit's {@link io.bulwark.test.kit.ConfigCopies} plus value equality, which resilience's
 * configs also promise: a copy equals its sample, a changed config does not.
 */
final class ConfigCopies {
  private static final io.bulwark.test.kit.ConfigCopies KIT =
      io.bulwark.test.kit.ConfigCopies.using(MethodHandles.lookup());

  private ConfigCopies() {}

  static <C> void copiesEveryComponent(C sample, C defaults, UnaryOperator<C> toBuilderBuild) {
    C copy = toBuilderBuild.apply(sample);
    KIT.copiesEveryField(sample, defaults, copy);
    assertThat(copy).isEqualTo(sample).isNotSameAs(sample).hasSameHashCodeAs(sample);
  }

  /** {@code changed} differs from {@code sample} in exactly {@code field}. */
  static <C> void changesOnly(C sample, C changed, String field) {
    KIT.changesOnly(sample, changed, field);
    assertThat(changed).isNotEqualTo(sample);
  }
}
