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
 */
public record TopicLag(String topic, int partition, String group, long endOffset, long committed) {
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
  }

  /**
   * Records the group has yet to process: {@code endOffset - max(committed, 0)}, never negative.
   */
  public long lag() {
    return Math.max(0, endOffset - Math.max(committed, 0));
  }
}
