package io.bulwark.events;

import org.jspecify.annotations.Nullable;

/**
 * A record read from a {@link Topic}, its key and value decoded by the topic's serdes. {@link
 * #record()} is the record as read (offset, partition, timestamp, headers, {@link
 * EventRecord#context context}, {@link EventRecord#consumerSpan consumer span}). Immutable.
 *
 * @param record the record as read from the log
 * @param key the decoded key, or null if the record has no key
 * @param value the decoded value, or null for a tombstone
 */
public record TypedRecord<K, V>(EventRecord record, @Nullable K key, @Nullable V value) {

  /** The record's topic and partition. */
  public TopicPartition topicPartition() {
    return record.topicPartition();
  }

  /** The record's offset in its partition. */
  public long offset() {
    return record.offset();
  }
}
