package io.bulwark.events;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Consumer} behaves. Immutable; built by {@link #builder(String)} with the group id,
 * each setter validates.
 *
 * <ul>
 *   <li>{@code startFrom} (default {@link StartFrom#EARLIEST}): where a partition with no committed
 *       offset starts.
 *   <li>{@code maxPollRecords} (default 500): the most records one poll returns.
 *   <li>{@code sessionTimeout} (default 10 s): a member that does not poll for this long is
 *       considered dead and its partitions are reassigned.
 * </ul>
 */
public final class ConsumerConfig {
  /** Where to start in a partition that has no committed offset. */
  public enum StartFrom {
    EARLIEST,
    LATEST
  }

  private final String groupId;
  private final StartFrom startFrom;
  private final int maxPollRecords;
  private final Duration sessionTimeout;

  private ConsumerConfig(Builder b) {
    this.groupId = b.groupId;
    this.startFrom = b.startFrom;
    this.maxPollRecords = b.maxPollRecords;
    this.sessionTimeout = b.sessionTimeout;
  }

  public static Builder builder(String groupId) {
    return new Builder(groupId);
  }

  /**
   * A builder holding this config's values: {@code toBuilder().build()} equals this in every field.
   */
  public Builder toBuilder() {
    Builder b = new Builder(groupId);
    b.startFrom = startFrom;
    b.maxPollRecords = maxPollRecords;
    b.sessionTimeout = sessionTimeout;
    return b;
  }

  public String groupId() {
    return groupId;
  }

  public StartFrom startFrom() {
    return startFrom;
  }

  public int maxPollRecords() {
    return maxPollRecords;
  }

  public Duration sessionTimeout() {
    return sessionTimeout;
  }

  /** Builds a {@link ConsumerConfig}. */
  public static final class Builder {
    private final String groupId;
    private StartFrom startFrom = StartFrom.EARLIEST;
    private int maxPollRecords = 500;
    private Duration sessionTimeout = Duration.ofSeconds(10);

    private Builder(String groupId) {
      Objects.requireNonNull(groupId, "groupId");
      if (groupId.isBlank() || groupId.contains("/") || groupId.contains("\\")) {
        throw new IllegalArgumentException(
            "groupId must be non-blank without path separators, was '" + groupId + "'");
      }
      this.groupId = groupId;
    }

    public Builder startFrom(StartFrom startFrom) {
      this.startFrom = Objects.requireNonNull(startFrom, "startFrom");
      return this;
    }

    public Builder maxPollRecords(int maxPollRecords) {
      if (maxPollRecords < 1) {
        throw new IllegalArgumentException(
            "maxPollRecords must be >= 1, was " + maxPollRecords + " (group " + groupId + ")");
      }
      this.maxPollRecords = maxPollRecords;
      return this;
    }

    public Builder sessionTimeout(Duration sessionTimeout) {
      if (sessionTimeout.toMillis() < 1) {
        throw new IllegalArgumentException(
            "sessionTimeout must be >= 1ms, was " + sessionTimeout + " (group " + groupId + ")");
      }
      this.sessionTimeout = sessionTimeout;
      return this;
    }

    public ConsumerConfig build() {
      return new ConsumerConfig(this);
    }
  }
}
