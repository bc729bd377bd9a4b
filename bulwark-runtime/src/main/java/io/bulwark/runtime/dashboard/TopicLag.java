package io.bulwark.runtime.dashboard;

/**
 * How far one consumer group is behind on one partition of a topic, for the dashboard's topics
 * panel.
 *
 * @param topic the topic
 * @param partition the partition
 * @param group the consumer group
 * @param endOffset the next offset the log will assign (its end)
 * @param committed the group's committed offset (-1 when it has committed none)
 * @param startOffset the first offset still stored (0 unless retention removed older records): a
 *     group that has committed none, or committed below it, starts there
 */
public record TopicLag(
    String topic, int partition, String group, long endOffset, long committed, long startOffset) {

  /** A partition whose records are all still stored (start offset 0). */
  public TopicLag(String topic, int partition, String group, long endOffset, long committed) {
    this(topic, partition, group, endOffset, committed, 0);
  }

  public TopicLag {
    if (topic.isEmpty() || group.isEmpty()) {
      throw new IllegalArgumentException("topic and group must not be empty");
    }
    if (partition < 0 || endOffset < 0 || committed < -1) {
      throw new IllegalArgumentException(
          "partition and endOffset must be >= 0 and committed >= -1, were "
              + partition
              + ", "
              + endOffset
              + ", "
              + committed);
    }
    if (startOffset < 0 || startOffset > endOffset) {
      throw new IllegalArgumentException(
          "startOffset must be within [0, endOffset " + endOffset + "], was " + startOffset);
    }
  }

  /**
   * Records the group has yet to process: {@code endOffset - max(committed, startOffset)}, never
   * negative.
   */
  public long lag() {
    return Math.max(0, endOffset - Math.max(committed, startOffset));
  }
}
