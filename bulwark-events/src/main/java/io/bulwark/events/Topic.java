package io.bulwark.events;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A topic with its key and value serdes bound once: callers send and read typed keys and values
 * instead of passing a serde on every call. Declare one per topic, next to its value type, and use
 * it on both sides:
 *
 * <pre>{@code
 * static final Topic<String, Order> ORDERS =
 *     Topic.of("orders", Serdes.string(), Serdes.json(Order.class));
 *
 * producer.send(ORDERS, order.id(), order);
 * for (TypedRecord<String, Order> r : consumer.poll(ORDERS, Duration.ofMillis(500))) { ... }
 * }</pre>
 *
 * <p>A typed topic holds no connection or state: the same instance works on every {@link EventLog}
 * and backend, and is thread-safe (serdes are, see {@link Serde}). It does not create the topic
 * ({@link EventLog#createTopic} with {@link TopicSpec} does). A {@code null} key means "no key"
 * (round-robin partitioning, see {@link Partitioner}); a {@code null} value is a tombstone; neither
 * is handed to a serde.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Topic<K, V> {
  private final String name;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;

  private Topic(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    Topics.validateName(Objects.requireNonNull(name, "name"));
    this.name = name;
    this.keySerde = Objects.requireNonNull(keySerde, () -> "keySerde of topic " + name);
    this.valueSerde = Objects.requireNonNull(valueSerde, () -> "valueSerde of topic " + name);
  }

  /** The topic {@code name} with keys and values encoded by the given serdes. */
  public static <K, V> Topic<K, V> of(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return new Topic<>(name, keySerde, valueSerde);
  }

  /** The topic {@code name} with UTF-8 string keys and values encoded by {@code valueSerde}. */
  public static <V> Topic<String, V> of(String name, Serde<V> valueSerde) {
    return new Topic<>(name, Serdes.string(), valueSerde);
  }

  public String name() {
    return name;
  }

  public Serde<K> keySerde() {
    return keySerde;
  }

  public Serde<V> valueSerde() {
    return valueSerde;
  }

  /**
   * A record builder for this topic with {@code key} and {@code value} encoded, to add headers, a
   * partition or a timestamp before {@link OutgoingRecord.Builder#build() build()}.
   */
  public OutgoingRecord.Builder record(@Nullable K key, @Nullable V value) {
    OutgoingRecord.Builder b = OutgoingRecord.builder(name);
    b.key(key == null ? null : keySerde.serialize(key));
    b.value(value == null ? null : valueSerde.serialize(value));
    return b;
  }

  /**
   * {@code record} decoded with this topic's serdes.
   *
   * @throws IllegalArgumentException if {@code record} is of another topic
   * @throws SerdeException if its key or value cannot be decoded; the message names the record
   */
  public TypedRecord<K, V> decode(EventRecord record) {
    if (!record.topic().equals(name)) {
      throw new IllegalArgumentException(
          "record "
              + where(record)
              + " is of topic '"
              + record.topic()
              + "', not '"
              + name
              + "': decode it with that topic's Topic");
    }
    return new TypedRecord<>(record, decodeKey(record), decodeValue(record));
  }

  private @Nullable K decodeKey(EventRecord record) {
    byte[] k = record.key();
    try {
      return k == null ? null : keySerde.deserialize(k);
    } catch (SerdeException e) {
      throw new SerdeException("key of record " + where(record) + ": " + e.getMessage(), e);
    }
  }

  private @Nullable V decodeValue(EventRecord record) {
    byte[] v = record.value();
    try {
      return v == null ? null : valueSerde.deserialize(v);
    } catch (SerdeException e) {
      throw new SerdeException("value of record " + where(record) + ": " + e.getMessage(), e);
    }
  }

  private static String where(EventRecord record) {
    return record.topicPartition() + "@" + record.offset();
  }

  @Override
  public String toString() {
    return "Topic[" + name + "]";
  }
}
