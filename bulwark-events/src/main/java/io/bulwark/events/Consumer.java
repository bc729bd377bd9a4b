package io.bulwark.events;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads records as a member of a consumer group. The group's members share each subscribed topic's
 * partitions; when a member joins, leaves ({@link #close()}) or dies (stops polling for the session
 * timeout), the partitions are reassigned and the new owner resumes from the last committed offset,
 * so uncommitted records are redelivered (at-least-once).
 *
 * <p>Only committed records are returned: the embedded log shows only durable records and only
 * committed transactions; on Kafka the consumer reads with {@code isolation.level=read_committed}.
 *
 * <p>Not thread-safe: one thread polls a consumer.
 */
public interface Consumer extends AutoCloseable {

  /** Joins the group for {@code topics} (replacing an earlier subscription). */
  void subscribe(Collection<String> topics);

  /**
   * Returns available records of the assigned partitions, waiting up to {@code timeout} for some.
   * Records of one partition come in offset order.
   */
  List<EventRecord> poll(Duration timeout);

  /**
   * As {@link #poll(Duration)} for a consumer subscribed to {@code topic} alone, each record
   * decoded by the topic's serdes. A record that cannot be decoded is never skipped: the records of
   * its partition before it are returned and its partition is rewound to it; once it is the first
   * record of its partition in a poll, that poll throws a {@link SerdeException} naming {@code
   * topic-partition@offset}, with every polled partition rewound to its first polled record, so
   * nothing is lost. {@code seek(partition, offset + 1)} passes it. A record of another topic is
   * treated the same way but throws {@link IllegalStateException} (poll several topics with {@link
   * #poll(Duration)} and decode each record with its own {@link Topic#decode}).
   */
  default <K, V> List<TypedRecord<K, V>> poll(Topic<K, V> topic, Duration timeout) {
    return TypedPoll.decode(this, topic, poll(timeout));
  }

  /** Commits the positions reached by {@link #poll} for all assigned partitions. */
  void commitSync();

  /** Commits the given offsets (each the next offset to read). */
  void commitSync(Map<TopicPartition, Long> offsets);

  /** The group's committed offset for {@code partition}, if any. */
  OptionalLong committed(TopicPartition partition);

  /** The partitions currently assigned to this member. */
  Set<TopicPartition> assignment();

  /** The next offset this consumer reads from {@code partition} (assigned to it). */
  long position(TopicPartition partition);

  /** Makes the next poll of {@code partition} start at {@code offset}. */
  void seek(TopicPartition partition, long offset);

  /**
   * Makes the next poll of {@code partition} start at the first record whose timestamp is at or
   * after {@code time} (or at the end if none).
   */
  void seekToTime(TopicPartition partition, Instant time);

  /** Leaves the group without committing; the partitions go to the remaining members. */
  @Override
  void close();
}
