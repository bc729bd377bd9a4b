package io.bulwark.events;

import io.bulwark.core.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the embedded log. Immutable; built by {@link #builder(Path)}, each setter validates.
 *
 * <ul>
 *   <li>{@code durability} (default {@link Durability#FSYNC_PER_BATCH}): a batch is acknowledged
 *       only after {@code fsync} returned (group commit: all records that arrive while one fsync
 *       runs go into the next batch). {@link Durability#OS_CACHE} acknowledges after {@code
 *       write(2)}: survives a process crash, not a power loss.
 *   <li>{@code segmentBytes} (default 64 MiB): a partition's active segment rolls past this size.
 *   <li>{@code indexIntervalBytes} (default 4 KiB): one sparse-index entry per this many bytes.
 *   <li>{@code maxBatchBytes} (default 1 MiB): the most bytes one group commit writes per
 *       partition.
 *   <li>{@code corruptionPolicy} (default {@link CorruptionPolicy#FAIL}): what opening does with a
 *       corrupt batch that is not a torn tail. A torn tail of the last segment is always truncated
 *       (it was never acknowledged).
 *   <li>{@code producerIdExpiration} (default 1 day, as Kafka's {@code producer.id.expiration.ms}):
 *       how long a partition remembers an idempotent producer's last sequence, measured from the
 *       timestamp of that producer's last batch (its records' newest timestamp, which a producer
 *       that sets explicit old timestamps makes older). A producer silent for longer that resends
 *       an old batch is not recognised as a duplicate. A producer's state is also forgotten when
 *       retention deletes its last batch.
 * </ul>
 */
public final class EmbeddedLogConfig {
  /** When a send is acknowledged. */
  public enum Durability {
    /** After the batch is on disk (fsync); the default. */
    FSYNC_PER_BATCH,
    /** After the batch is in the OS page cache (write); survives process crashes only. */
    OS_CACHE
  }

  /** What opening does with corruption that a torn tail cannot explain. */
  public enum CorruptionPolicy {
    /** Refuse to open the partition: {@link CorruptLogException} names the file and position. */
    FAIL,
    /** Cut the partition at the corrupt batch (later data is deleted) and report it. */
    TRUNCATE
  }

  private final Path directory;
  private final Clock clock;
  private final Durability durability;
  private final long segmentBytes;
  private final int indexIntervalBytes;
  private final int maxBatchBytes;
  private final CorruptionPolicy corruptionPolicy;
  private final Duration producerIdExpiration;
  private final EventLogListener listener;

  private EmbeddedLogConfig(Builder b) {
    this.directory = b.directory;
    this.clock = b.clock;
    this.durability = b.durability;
    this.segmentBytes = b.segmentBytes;
    this.indexIntervalBytes = b.indexIntervalBytes;
    this.maxBatchBytes = b.maxBatchBytes;
    this.corruptionPolicy = b.corruptionPolicy;
    this.producerIdExpiration = b.producerIdExpiration;
    this.listener = b.listener;
  }

  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /**
   * A builder holding this config's values: {@code toBuilder().build()} equals this in every field.
   */
  public Builder toBuilder() {
    Builder b = new Builder(directory);
    b.clock = clock;
    b.durability = durability;
    b.segmentBytes = segmentBytes;
    b.indexIntervalBytes = indexIntervalBytes;
    b.maxBatchBytes = maxBatchBytes;
    b.corruptionPolicy = corruptionPolicy;
    b.producerIdExpiration = producerIdExpiration;
    b.listener = listener;
    return b;
  }

  public Path directory() {
    return directory;
  }

  public Clock clock() {
    return clock;
  }

  public Durability durability() {
    return durability;
  }

  public long segmentBytes() {
    return segmentBytes;
  }

  public int indexIntervalBytes() {
    return indexIntervalBytes;
  }

  public int maxBatchBytes() {
    return maxBatchBytes;
  }

  public CorruptionPolicy corruptionPolicy() {
    return corruptionPolicy;
  }

  public Duration producerIdExpiration() {
    return producerIdExpiration;
  }

  public EventLogListener listener() {
    return listener;
  }

  /** Builds an {@link EmbeddedLogConfig}. */
  public static final class Builder {
    private final Path directory;
    private Clock clock = Clock.system();
    private Durability durability = Durability.FSYNC_PER_BATCH;
    private long segmentBytes = 64L << 20;
    private int indexIntervalBytes = 4096;
    private int maxBatchBytes = 1 << 20;
    private CorruptionPolicy corruptionPolicy = CorruptionPolicy.FAIL;
    private Duration producerIdExpiration = Duration.ofDays(1);
    private EventLogListener listener = EventLogListener.NONE;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    public Builder segmentBytes(long segmentBytes) {
      if (segmentBytes < 1024 || segmentBytes > (1L << 40)) {
        throw new IllegalArgumentException(
            "segmentBytes must be in 1 KiB..1 TiB, was " + segmentBytes);
      }
      this.segmentBytes = segmentBytes;
      return this;
    }

    public Builder indexIntervalBytes(int indexIntervalBytes) {
      if (indexIntervalBytes < 64) {
        throw new IllegalArgumentException(
            "indexIntervalBytes must be >= 64, was " + indexIntervalBytes);
      }
      this.indexIntervalBytes = indexIntervalBytes;
      return this;
    }

    public Builder maxBatchBytes(int maxBatchBytes) {
      if (maxBatchBytes < 1024) {
        throw new IllegalArgumentException("maxBatchBytes must be >= 1024, was " + maxBatchBytes);
      }
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    public Builder corruptionPolicy(CorruptionPolicy corruptionPolicy) {
      this.corruptionPolicy = Objects.requireNonNull(corruptionPolicy, "corruptionPolicy");
      return this;
    }

    public Builder producerIdExpiration(Duration expiration) {
      Objects.requireNonNull(expiration, "producerIdExpiration");
      if (expiration.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "producerIdExpiration must be at least 1s, was " + expiration);
      }
      this.producerIdExpiration = expiration;
      return this;
    }

    public Builder listener(EventLogListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public EmbeddedLogConfig build() {
      return new EmbeddedLogConfig(this);
    }
  }
}
