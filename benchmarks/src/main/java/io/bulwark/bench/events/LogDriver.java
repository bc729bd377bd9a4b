package io.bulwark.bench.events;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/** One side of the comparison, driven identically: send records, consume them. */
interface LogDriver extends AutoCloseable {
  String name();

  /** Creates a fresh single-partition topic and returns its name. */
  default String newTopic(String prefix) throws Exception {
    return newTopic(prefix, 1);
  }

  /** Creates a fresh topic of {@code partitions} partitions and returns its name. */
  String newTopic(String prefix, int partitions) throws Exception;

  /** Sends {@code value} asynchronously; the future completes when the record is durable. */
  CompletableFuture<?> send(String topic, byte[] key, byte[] value);

  /** The number of records stored in the topic's partition 0 (its end offset). */
  default long stored(String topic) throws Exception {
    return stored(topic, 1);
  }

  /** The number of records stored in the topic's first {@code partitions} partitions. */
  long stored(String topic, int partitions) throws Exception;

  /** Waits for all sends so far. */
  void flush() throws Exception;

  /**
   * A producer of its own (its own producer instance, configured as the driver's), for one sending
   * thread of a multi-producer row.
   */
  Sender newSender() throws Exception;

  /**
   * Starts a consumer of {@code topic} on its own thread, feeding each record value's first 8 bytes
   * (the send time) to {@code onRecord}; returns a handle that stops it.
   */
  AutoCloseable consume(String topic, LongConsumer onRecord) throws Exception;

  /** One producer instance. */
  interface Sender extends AutoCloseable {
    /** Sends to one partition; the future completes when the record is durable. */
    CompletableFuture<?> send(String topic, int partition, byte[] key, byte[] value);

    /** Waits for all sends so far. */
    void flush() throws Exception;
  }
}
