package io.bulwark.events;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import org.jspecify.annotations.Nullable;

/**
 * A record read from the log. Immutable; the byte arrays must not be modified.
 *
 * @param offset the record's position in its partition (dense on the embedded log; may have gaps on
 *     Kafka where transaction markers take offsets)
 */
public record EventRecord(
    String topic,
    int partition,
    long offset,
    long timestampMillis,
    byte @Nullable [] key,
    byte @Nullable [] value,
    Headers headers) {

  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }

  /** The key decoded by {@code serde}, or null if the record has no key. */
  public <K> @Nullable K key(Serde<K> serde) {
    byte[] k = key;
    return k == null ? null : serde.deserialize(k);
  }

  /** The value decoded by {@code serde}, or null if the record has no value (a tombstone). */
  public <V> @Nullable V value(Serde<V> serde) {
    byte[] v = value;
    return v == null ? null : serde.deserialize(v);
  }

  /** The sender's context (trace, deadline, criticality, correlation id) restored from headers. */
  public Context context(ContextHeaders codec) {
    return codec.extract(headers::get);
  }
}
