package io.bulwark.events;

import io.bulwark.core.telemetry.Tracing;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Producer} behaves. Immutable; built by {@link #builder()}, each setter validates.
 *
 * <ul>
 *   <li>{@code idempotent} (default true): the log drops a resent batch by producer id and
 *       sequence, so a retry after a lost acknowledgement cannot duplicate a record.
 *   <li>{@code transactionalId} (default none): enables {@link Producer#beginTransaction()} for
 *       exactly-once consume-transform-produce; implies idempotence.
 *   <li>{@code maxBufferedRecords} (default 10,000) and {@code whenFull} (default {@link
 *       WhenFull#BLOCK} up to {@code maxBlock}, default 30 s): backpressure for records sent but
 *       not yet acknowledged.
 *   <li>{@code propagateContext} (default true): the caller's {@code Context} is written into the
 *       record headers, with the trace of the send's own span.
 *   <li>{@code tracing} (default {@link Tracing#disabled()}): where each send's {@code PRODUCER}
 *       span is recorded (e.g. {@code telemetry.tracing()}); disabled tracing records nothing but
 *       still gives each send a fresh span id under the caller's trace.
 * </ul>
 */
public final class ProducerConfig {
  /** What {@link Producer#send} does when {@code maxBufferedRecords} are unacknowledged. */
  public enum WhenFull {
    /** Wait up to {@code maxBlock} for room, then fail with {@link BufferFullException}. */
    BLOCK,
    /** Fail at once with {@link BufferFullException}. */
    FAIL_FAST
  }

  private final boolean idempotent;
  private final @Nullable String transactionalId;
  private final int maxBufferedRecords;
  private final WhenFull whenFull;
  private final Duration maxBlock;
  private final boolean propagateContext;
  private final Tracing tracing;

  private ProducerConfig(Builder b) {
    this.idempotent = b.idempotent || b.transactionalId != null;
    this.transactionalId = b.transactionalId;
    this.maxBufferedRecords = b.maxBufferedRecords;
    this.whenFull = b.whenFull;
    this.maxBlock = b.maxBlock;
    this.propagateContext = b.propagateContext;
    this.tracing = b.tracing;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this config's values: {@code toBuilder().build()} equals this in every field.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.idempotent = idempotent;
    b.transactionalId = transactionalId;
    b.maxBufferedRecords = maxBufferedRecords;
    b.whenFull = whenFull;
    b.maxBlock = maxBlock;
    b.propagateContext = propagateContext;
    b.tracing = tracing;
    return b;
  }

  public static ProducerConfig defaults() {
    return builder().build();
  }

  public boolean idempotent() {
    return idempotent;
  }

  public @Nullable String transactionalId() {
    return transactionalId;
  }

  public int maxBufferedRecords() {
    return maxBufferedRecords;
  }

  public WhenFull whenFull() {
    return whenFull;
  }

  public Duration maxBlock() {
    return maxBlock;
  }

  public boolean propagateContext() {
    return propagateContext;
  }

  public Tracing tracing() {
    return tracing;
  }

  /** Builds a {@link ProducerConfig}. */
  public static final class Builder {
    private boolean idempotent = true;
    private @Nullable String transactionalId;
    private int maxBufferedRecords = 10_000;
    private WhenFull whenFull = WhenFull.BLOCK;
    private Duration maxBlock = Duration.ofSeconds(30);
    private boolean propagateContext = true;
    private Tracing tracing = Tracing.disabled();

    private Builder() {}

    public Builder idempotent(boolean idempotent) {
      this.idempotent = idempotent;
      return this;
    }

    public Builder transactionalId(String transactionalId) {
      Objects.requireNonNull(transactionalId, "transactionalId");
      if (transactionalId.isBlank()) {
        throw new IllegalArgumentException(
            "transactionalId must not be blank, was '" + transactionalId + "'");
      }
      this.transactionalId = transactionalId;
      return this;
    }

    public Builder maxBufferedRecords(int maxBufferedRecords) {
      if (maxBufferedRecords < 1) {
        throw new IllegalArgumentException(
            "maxBufferedRecords must be >= 1, was " + maxBufferedRecords);
      }
      this.maxBufferedRecords = maxBufferedRecords;
      return this;
    }

    public Builder whenFull(WhenFull whenFull) {
      this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
      return this;
    }

    public Builder maxBlock(Duration maxBlock) {
      if (maxBlock.isNegative()) {
        throw new IllegalArgumentException("maxBlock must be >= 0, was " + maxBlock);
      }
      this.maxBlock = maxBlock;
      return this;
    }

    public Builder propagateContext(boolean propagateContext) {
      this.propagateContext = propagateContext;
      return this;
    }

    /** Records each send's {@code PRODUCER} span, e.g. {@code telemetry.tracing()}. */
    public Builder tracing(Tracing tracing) {
      this.tracing = Objects.requireNonNull(tracing, "tracing");
      return this;
    }

    public ProducerConfig build() {
      return new ProducerConfig(this);
    }
  }
}
