package io.bulwark.events;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Publishes records. {@link #send} returns a future that completes once the record is durable
 * (embedded: written and fsynced per the log's durability policy; Kafka: acks=all) and fails with a
 * {@link io.bulwark.core.error.BulwarkException} otherwise. Records sent by one producer to one
 * partition are stored in send order.
 *
 * <p>Backpressure: at most {@link ProducerConfig#maxBufferedRecords()} records are in flight;
 * beyond that {@code send} blocks or fails fast with {@link BufferFullException}.
 *
 * <p>Transactions (with {@link ProducerConfig#transactionalId()}): records sent between {@link
 * #beginTransaction()} and {@link #commitTransaction()} become visible to consumers, together with
 * the offsets given to {@link #sendOffsetsToTransaction}, atomically; {@link #abortTransaction()}
 * discards both; {@link ExactlyOnceProcessor} runs that loop, with the abort and the rewind.
 * Thread-safe, except that a transaction belongs to one thread.
 */
public interface Producer extends AutoCloseable {

  /** Sends {@code record}; the future completes with its position once durable. */
  CompletableFuture<RecordMetadata> send(OutgoingRecord record);

  /**
   * Sends {@code value} under {@code key} to {@code topic}, both encoded by the topic's serdes (a
   * null key: no key; a null value: a tombstone). For headers, a partition or a timestamp, send
   * {@code topic.record(key, value)...build()}.
   */
  default <K, V> CompletableFuture<RecordMetadata> send(
      Topic<K, V> topic, @Nullable K key, @Nullable V value) {
    return send(topic.record(key, value).build());
  }

  /** Blocks until every record sent so far is acknowledged or failed. */
  void flush();

  void beginTransaction();

  /**
   * Adds consumed offsets of {@code groupId} to the current transaction; each value is the next
   * offset to read.
   */
  void sendOffsetsToTransaction(Map<TopicPartition, Long> offsets, String groupId);

  /**
   * Adds offsets consumed by {@code consumer} (a consumer of the same log) to the current
   * transaction, with zombie fencing: the commit fails, discarding outputs and offsets, if the
   * consumer no longer owns those partitions because its group rebalanced meanwhile (embedded:
   * checked at commit; Kafka: the consumer's group metadata and generation, KIP-447).
   */
  void sendOffsetsToTransaction(Map<TopicPartition, Long> offsets, Consumer consumer);

  void commitTransaction();

  void abortTransaction();

  /** Flushes and releases the producer. */
  @Override
  void close();
}
