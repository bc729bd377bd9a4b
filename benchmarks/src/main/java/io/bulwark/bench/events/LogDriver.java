package io.bulwark.bench.events;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/** One side of the comparison, driven identically: send records, consume them. */
interface LogDriver extends AutoCloseable {
  String name();

  /** Creates a fresh single-partition topic and returns its name. */
  String newTopic(String prefix) throws Exception;

  /** Sends {@code value} asynchronously; the future completes when the record is durable. */
  CompletableFuture<?> send(String topic, byte[] key, byte[] value);

  /** The number of records stored in the topic's partition 0 (its end offset). */
  long stored(String topic) throws Exception;

  /** Waits for all sends so far. */
  void flush() throws Exception;

  /**
   * Starts a consumer of {@code topic} on its own thread, feeding each record value's first 8 bytes
   * (the send time) to {@code onRecord}; returns a handle that stops it.
   */
  AutoCloseable consume(String topic, LongConsumer onRecord) throws Exception;
}
