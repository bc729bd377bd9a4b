package io.bulwark.events;

/**
 * Where an acknowledged record was stored. Returned only once the record is durable under the log's
 * durability setting.
 */
public record RecordMetadata(String topic, int partition, long offset, long timestampMillis) {
  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }
}
