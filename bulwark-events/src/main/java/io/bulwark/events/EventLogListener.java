package io.bulwark.events;

/**
 * Observes the embedded log, for telemetry. Contract: every method is called on the log's own
 * threads (the writer and its sync thread, consumers' poll threads), so it must be fast (no I/O, no
 * locks held for long) and must never throw; the log catches and ignores anything thrown so that
 * observation can never break the log. All methods default to doing nothing.
 */
public interface EventLogListener {
  EventLogListener NONE = new EventLogListener() {};

  /** A batch of {@code records} ({@code bytes} on disk) was appended and is now durable. */
  default void onAppend(TopicPartition partition, int records, int bytes) {}

  /** One group-commit cycle wrote and fsynced {@code partitions} files in {@code nanos}. */
  default void onGroupCommit(int batches, int partitions, long nanos) {}

  /** Recovery at open truncated {@code bytes} of a torn or corrupt tail of {@code file}. */
  default void onRecoveryTruncated(TopicPartition partition, String file, long bytes) {}

  /** A corrupt batch was found and reported (never served). */
  default void onCorruption(TopicPartition partition, String file, long position) {}

  /**
   * At open, a group's committed offset was past the end of its partition (recovery cut the
   * partition) and was lowered to the end, so the group reads the records appended from there on.
   */
  default void onCommittedOffsetClamped(
      String groupId, TopicPartition partition, long committed, long logEnd) {}

  /** A segment was deleted by retention. */
  default void onSegmentDeleted(TopicPartition partition, String file) {}

  /** A consumer group was rebalanced to {@code generation} with {@code members} members. */
  default void onRebalance(String groupId, int generation, int members) {}

  /** A duplicate batch from an idempotent producer was dropped. */
  default void onDuplicateDropped(TopicPartition partition, long producerId, int sequence) {}
}
