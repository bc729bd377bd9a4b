package io.bulwark.events;

import java.util.List;

/**
 * A partitioned, durable, append-only event log: topics of N partitions, producers whose sends are
 * acknowledged only once durable, and consumer groups that share a topic's partitions and commit
 * their offsets. One API, two backends: the embedded log ({@link EventLogs#embedded}, the default,
 * nothing to install) and Apache Kafka ({@link EventLogs#kafka}).
 *
 * <p>Guarantees common to both backends: records of one partition are stored and delivered in send
 * order (so records with the same key are ordered); an acknowledged record survives a crash of the
 * process; delivery is at-least-once from the last committed offset; an idempotent producer never
 * stores a retried batch twice; a transactional producer commits its output records and the
 * consumed offsets atomically (exactly-once consume-transform-produce, which {@link
 * ExactlyOnceProcessor} runs). Keys and values are bytes; a {@link Topic} binds a topic's serdes
 * once for typed sends and polls.
 *
 * <p>Thread-safe. Producers are thread-safe; consumers are used by one thread at a time.
 */
public interface EventLog extends AutoCloseable {

  /** Creates a topic; creating an existing topic with the same partition count is a no-op. */
  void createTopic(TopicSpec spec);

  /** The partition count of {@code topic}. */
  int partitionCount(String topic);

  /** A new producer. */
  Producer producer(ProducerConfig config);

  /** A new consumer in the group named by {@code config}. */
  Consumer consumer(ConsumerConfig config);

  /**
   * The consumer groups that have committed offsets in this log, sorted (a group that only joined
   * and never committed is not listed). For lag monitoring ({@link #consumerLag(String)}).
   */
  List<String> consumerGroups();

  /**
   * The lag of {@code group} on every partition where it has committed an offset, sorted by
   * partition; empty for a group that has committed none. Cheap enough to poll every second: the
   * embedded log answers from memory, Kafka with one round of admin requests.
   */
  List<PartitionLag> consumerLag(String group);

  /**
   * The lag of {@code group} on every partition of {@code topic}, in partition order, whether or
   * not it has committed there (where it has not, its lag counts from the partition's start).
   *
   * @throws IllegalArgumentException if the topic does not exist (the message names it)
   */
  List<PartitionLag> consumerLag(String group, String topic);

  /** Which backend this is: {@code "embedded"} or {@code "kafka"}. */
  String backend();

  /** Closes producers' resources owned by the log and releases files or connections. */
  @Override
  void close();
}
