package io.bulwark.events;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A topic to create: name, partition count and retention. Retention by time deletes whole segments
 * whose newest record is older than {@link #retention()}; retention by size deletes the oldest
 * segments of a partition while it is larger than {@link #retentionBytes()}. The active segment is
 * never deleted. Immutable; built by {@link #builder(String)}.
 */
public final class TopicSpec {
  private final String name;
  private final int partitions;
  private final @Nullable Duration retention;
  private final long retentionBytes;

  private TopicSpec(Builder b) {
    this.name = b.name;
    this.partitions = b.partitions;
    this.retention = b.retention;
    this.retentionBytes = b.retentionBytes;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public static TopicSpec of(String name, int partitions) {
    return builder(name).partitions(partitions).build();
  }

  public String name() {
    return name;
  }

  public int partitions() {
    return partitions;
  }

  /** Time retention, or null to keep records forever. */
  public @Nullable Duration retention() {
    return retention;
  }

  /** Size retention per partition in bytes, or -1 for unlimited. */
  public long retentionBytes() {
    return retentionBytes;
  }

  /** Builds a {@link TopicSpec}; each setter validates its argument. */
  public static final class Builder {
    private final String name;
    private int partitions = 1;
    private @Nullable Duration retention;
    private long retentionBytes = -1;

    private Builder(String name) {
      Topics.validateName(Objects.requireNonNull(name, "name"));
      this.name = name;
    }

    public Builder partitions(int partitions) {
      if (partitions < 1 || partitions > 10_000) {
        throw new IllegalArgumentException(
            "partitions must be in 1..10000, was " + partitions + " (topic " + name + ")");
      }
      this.partitions = partitions;
      return this;
    }

    public Builder retention(Duration retention) {
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException(
            "retention must be positive, was " + retention + " (topic " + name + ")");
      }
      this.retention = retention;
      return this;
    }

    public Builder retentionBytes(long retentionBytes) {
      if (retentionBytes < 1) {
        throw new IllegalArgumentException(
            "retentionBytes must be >= 1, was " + retentionBytes + " (topic " + name + ")");
      }
      this.retentionBytes = retentionBytes;
      return this;
    }

    public TopicSpec build() {
      return new TopicSpec(this);
    }
  }
}
