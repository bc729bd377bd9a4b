package io.bulwark.test.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Deadline;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  private final VirtualClock clock = new VirtualClock();

  @Test
  void remainingShrinksAsVirtualTimePasses() {
    Deadline deadline = Deadline.after(Duration.ofMillis(500), clock);
    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(500));

    clock.advance(Duration.ofMillis(200));
    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(300));
    assertThat(deadline.isExpired()).isFalse();

    clock.advance(Duration.ofMillis(300));
    assertThat(deadline.remaining()).isEqualTo(Duration.ZERO);
    assertThat(deadline.isExpired()).isTrue();

    clock.advance(Duration.ofMillis(50));
    assertThat(deadline.remainingNanos()).isEqualTo(-50_000_000L);
    assertThat(deadline.remaining()).isEqualTo(Duration.ZERO);
  }

  @Test
  void timeoutIsTheSmallerOfConfiguredAndRemaining() {
    Deadline deadline = Deadline.after(Duration.ofMillis(300), clock);
    assertThat(deadline.timeoutNanos(Duration.ofMillis(100).toNanos())).isEqualTo(100_000_000L);
    assertThat(deadline.timeoutNanos(Duration.ofSeconds(5).toNanos())).isEqualTo(300_000_000L);

    clock.advance(Duration.ofMillis(400));
    assertThat(deadline.timeoutNanos(Duration.ofSeconds(5).toNanos())).isZero();
  }

  @Test
  void earliestAndCapPickTheSoonerInstant() {
    Deadline a = Deadline.after(Duration.ofMillis(100), clock);
    Deadline b = Deadline.after(Duration.ofMillis(200), clock);
    assertThat(a.earliest(b)).isSameAs(a);
    assertThat(b.earliest(a)).isSameAs(a);
    assertThat(b.cappedAt(Duration.ofMillis(50)).remaining()).isEqualTo(Duration.ofMillis(50));
    assertThat(a.cappedAt(Duration.ofSeconds(1))).isSameAs(a);
  }

  @Test
  void hugeTimeoutsSaturateInsteadOfOverflowing() {
    clock.advance(Duration.ofDays(1));
    Deadline forever = Deadline.after(Duration.ofSeconds(Long.MAX_VALUE), clock);
    assertThat(forever.expiresAtNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(forever.isExpired()).isFalse();
    assertThat(forever.remainingNanos()).isPositive();

    Deadline past = Deadline.afterNanos(Long.MIN_VALUE, clock);
    assertThat(past.isExpired()).isTrue();
  }

  @Test
  void negativeTimeoutIsAlreadyExpired() {
    assertThat(Deadline.after(Duration.ofMillis(-1), clock).isExpired()).isTrue();
  }
}
