package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The absolute deadline a record carries, read back with hostile and boundary values. */
class RecordDeadlineTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private final VirtualClock clock = new VirtualClock(NOW);
  private final ContextHeaders codec =
      ContextHeaders.builder().clock(clock).maxDeadline(Duration.ofMinutes(5)).build();

  private Deadline deadlineOf(String at) {
    EventRecord r =
        new EventRecord(
            "t", 0, 0, 0, null, null, Headers.of(Map.of(EventRecord.DEADLINE_AT_HEADER, at)));
    return Objects.requireNonNull(r.context(codec, clock).deadline());
  }

  @Test
  void anInstantFarAheadIsCappedByTheCodec() {
    assertThat(deadlineOf(Long.toString(Long.MAX_VALUE)).remaining())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(deadlineOf(Long.toString(NOW.toEpochMilli() + 1_000)).remaining())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aPassedOrNegativeInstantIsAnExpiredDeadline() {
    for (long at : new long[] {Long.MIN_VALUE, -1, 0, NOW.toEpochMilli() - 1, NOW.toEpochMilli()}) {
      assertThat(deadlineOf(Long.toString(at)).isExpired()).as("at %d", at).isTrue();
    }
  }

  @Test
  void aValueThatIsNoInstantNamesTheHeader() {
    for (String bad : new String[] {"soon", "", "1.5", "99999999999999999999"}) {
      assertThatThrownBy(() -> deadlineOf(bad))
          .as("'%s'", bad)
          .isInstanceOf(MalformedHeaderException.class)
          .hasMessageContaining(EventRecord.DEADLINE_AT_HEADER);
    }
  }
}
