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
