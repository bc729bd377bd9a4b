package io.bulwark.events;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How far one consumer group is behind on one partition: the partition's end offset, the group's
 * committed offset there and the difference, read from the log at one moment (see {@link
 * EventLog#consumerLag(String, String)}).
 *
 * @param group the consumer group
 * @param partition the topic partition
 * @param startOffset the first offset still stored (retention may have removed earlier ones)
 * @param endOffset the offset the next record appended will get: the end of what consumers can read
 *     (acknowledged records; in Kafka the last stable offset, so open transactions are not counted)
 * @param committedOffset the group's committed offset (the next record it will process), empty if
 *     it has committed none on this partition
 * @param lag records the group has yet to process: {@code endOffset - max(committed, startOffset)}
 *     (a group that committed none starts at {@code startOffset}), never negative
 */
public record PartitionLag(
    String group,
    TopicPartition partition,
    long startOffset,
    long endOffset,
    OptionalLong committedOffset,
    long lag) {
  public PartitionLag {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(committedOffset, "committedOffset");
    if (startOffset < 0 || endOffset < startOffset) {
      throw new IllegalArgumentException(
          "offsets of "
              + partition
              + " must satisfy 0 <= startOffset <= endOffset, were "
              + startOffset
              + " and "
              + endOffset);
    }
    if (lag < 0) {
      throw new IllegalArgumentException("lag of group " + group + " on " + partition + " < 0");
    }
  }

  /** The lag of {@code group} at {@code partition} computed from the three offsets. */
  public static PartitionLag of(
      String group,
      TopicPartition partition,
      long startOffset,
      long endOffset,
      OptionalLong committedOffset) {
    long from = Math.max(committedOffset.orElse(startOffset), startOffset);
    return new PartitionLag(
        group, partition, startOffset, endOffset, committedOffset, Math.max(0, endOffset - from));
  }
}
