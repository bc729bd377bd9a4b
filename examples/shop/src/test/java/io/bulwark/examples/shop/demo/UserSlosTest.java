package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.telemetry.slo.Slo;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class UserSlosTest {
  private final Slo availability = UserSlos.slos().get(0);

  @Test
  void anSloHoldsWithExactlyItsBudgetSpentAndMissesWithOneMoreBadEvent() {
    SloVerdict atBudget = UserSlos.verdict(availability, 990, 1000);
    assertThat(atBudget.holds()).isTrue();
    assertThat(atBudget.budgetRemaining()).isCloseTo(0, Offset.offset(1e-9));
    SloVerdict over = UserSlos.verdict(availability, 989, 1000);
    assertThat(over.holds()).isFalse();
    assertThat(over.budgetRemaining()).isCloseTo(-0.1, Offset.offset(1e-9));
  }

  @Test
  void budgetLeftFollowsTheSloMath() {
    SloVerdict quarter = UserSlos.verdict(availability, 3_970, 4_000);
    assertThat(quarter.budgetRemaining()).isCloseTo(0.25, Offset.offset(1e-9));
    assertThat(quarter.ratio()).isCloseTo(0.9925, Offset.offset(1e-9));
    SloVerdict none = UserSlos.verdict(availability, 0, 0);
    assertThat(none.holds()).isTrue();
    assertThat(none.budgetRemaining()).isEqualTo(1);
  }

  @Test
  void theSlosAreTheDocumentedOnes() {
    assertThat(UserSlos.slos())
        .extracting(Slo::name)
        .containsExactly("availability", "checkout-availability", "latency");
    assertThat(UserSlos.slos()).allMatch(s -> s.objective() == 0.99);
  }

  @Test
  void impossibleCountsAreRefusedNamingThem() {
    assertThatThrownBy(() -> UserSlos.verdict(availability, 11, 10))
        .hasMessageContaining("11")
        .hasMessageContaining("availability");
    assertThatThrownBy(() -> UserSlos.verdict(availability, -1, 10)).hasMessageContaining("-1");
  }
}
