package io.bulwark.data.cache;

import io.bulwark.core.config.Checks;
import io.bulwark.core.time.Clock;
import io.bulwark.events.EventLog;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serde;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Carries one cache's invalidations between instances over the event log (embedded or Kafka: the
 * same {@link EventLog} interface). Give one channel to one {@link ReadThroughCache} ({@link
 * ReadThroughCache.Builder#invalidation}); building the cache joins the topic and returns once this
 * instance's consumer is positioned, so no invalidation published after the build is missed
 * unnoticed.
 *
 * <p>Guarantees: {@link ReadThroughCache#invalidate} returns once the log acknowledged the record;
 * each instance evicts the key when the record is delivered ({@link #awaitApplied} waits for that).
 * The instance flushes its whole cache instead when it may have missed records: an offset gap in a
 * partition, a partition (re)assignment, a failed poll (reconnect), or a record delivered later
 * than {@link CacheConfig#maxInvalidationLag()} after it was published (measured on the wall clock
 * of the given {@link Clock}, so hosts need synchronized clocks). Publish → evict latency is
 * recorded as RED dependency {@code cache.<name>.invalidation}.
 */
public final class InvalidationChannel<K> implements AutoCloseable {

  final EventLog log;
  final Serde<K> keySerde;
  final String topic;
  final String instanceId;
  final Clock clock;
  final Duration pollTimeout;
  final Duration joinTimeout;
  private final InvalidationConsumer<K> engine;

  private InvalidationChannel(Builder<K> b) {
    this.log = b.log;
    this.keySerde = b.keySerde;
    this.topic = b.topic;
    this.instanceId = b.instanceId;
    this.clock = b.clock;
    this.pollTimeout = b.pollTimeout;
    this.joinTimeout = b.joinTimeout;
    this.engine = new InvalidationConsumer<>(this);
  }

  /** A builder of a channel on {@code log} whose record keys are encoded by {@code keySerde}. */
  public static <K> Builder<K> builder(EventLog log, Serde<K> keySerde) {
    return new Builder<>(log, keySerde);
  }

  /** The topic carrying the invalidations. */
  public String topic() {
    return topic;
  }

  /** This instance's id (its consumer group is {@code <topic>-<instanceId>}). */
  public String instanceId() {
    return instanceId;
  }

  /**
   * Waits until this instance has applied the invalidation stored at {@code record} (evicted its
   * key, or flushed), at most {@code timeout}.
   *
   * @return true if applied, false on timeout
   */
  public boolean awaitApplied(RecordMetadata record, Duration timeout) throws InterruptedException {
    return engine.awaitApplied(record, timeout);
  }

  /** Stops this instance's consumer. */
  @Override
  public void close() {
    engine.close();
  }

  InvalidationConsumer<K> engine() {
    return engine;
  }

  /** Builds an {@link InvalidationChannel}; setters validate. */
  public static final class Builder<K> {
    private final EventLog log;
    private final Serde<K> keySerde;
    private String topic = "bulwark-cache-invalidations";
    private String instanceId = UUID.randomUUID().toString();
    private Clock clock = Clock.system();
    private Duration pollTimeout = Duration.ofMillis(100);
    private Duration joinTimeout = Duration.ofSeconds(60);

    private Builder(EventLog log, Serde<K> keySerde) {
      this.log = Objects.requireNonNull(log, "log");
      this.keySerde = Objects.requireNonNull(keySerde, "keySerde");
    }

    /** The topic (default {@code bulwark-cache-invalidations}); created with 1 partition if new. */
    public Builder<K> topic(String topic) {
      this.topic = Checks.notBlank("topic", topic);
      return this;
    }

    /** This instance's id, unique in the cluster (default: a random UUID). */
    public Builder<K> instanceId(String instanceId) {
      Checks.notBlank("instanceId", instanceId);
      if (instanceId.contains("/") || instanceId.contains("\\")) {
        throw new IllegalArgumentException(
            "instanceId must not contain path separators, was '" + instanceId + "'");
      }
      this.instanceId = instanceId;
      return this;
    }

    /** The clock stamping publish times and measuring delivery lag (default: the system clock). */
    public Builder<K> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long one poll waits for records (default 100 ms). */
    public Builder<K> pollTimeout(Duration pollTimeout) {
      this.pollTimeout = Checks.positive("pollTimeout", pollTimeout);
      return this;
    }

    /** How long building the cache waits for the consumer to be positioned (default 60 s). */
    public Builder<K> joinTimeout(Duration joinTimeout) {
      this.joinTimeout = Checks.positive("joinTimeout", joinTimeout);
      return this;
    }

    public InvalidationChannel<K> build() {
      return new InvalidationChannel<>(this);
    }
  }
}
