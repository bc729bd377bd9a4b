package io.bulwark.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A record to publish: topic, optional key (which picks the partition, see {@link Partitioner}),
 * headers and value bytes. Build with {@link #builder(String)}; immutable. The byte arrays are
 * owned by the record once built: do not modify them afterwards.
 */
public final class OutgoingRecord {
  private final String topic;
  private final byte @Nullable [] key;
  private final byte @Nullable [] value;
  private final Headers headers;
  private final int partition;
  private final long timestampMillis;

  private OutgoingRecord(Builder b) {
    this.topic = b.topic;
    this.key = b.key;
    this.value = b.value;
    this.headers = b.headers == null ? Headers.empty() : Headers.of(b.headers);
    this.partition = b.partition;
    this.timestampMillis = b.timestampMillis;
  }

  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  /** A record with a string key and a value encoded by {@code serde}. */
  public static <V> OutgoingRecord of(String topic, String key, V value, Serde<V> serde) {
    return builder(topic).key(key).value(value, serde).build();
  }

  public String topic() {
    return topic;
  }

  public byte @Nullable [] key() {
    return key;
  }

  public byte @Nullable [] value() {
    return value;
  }

  public Headers headers() {
    return headers;
  }

  /** The explicit partition, or -1 to choose by key. */
  public int partition() {
    return partition;
  }

  /** The explicit timestamp, or -1 for the log's clock at send time. */
  public long timestampMillis() {
    return timestampMillis;
  }

  /** A copy with different headers (used for context propagation). */
  public OutgoingRecord withHeaders(Headers newHeaders) {
    Builder b = new Builder(topic);
    b.key = key;
    b.value = value;
    b.headers = new LinkedHashMap<>(newHeaders.asMap());
    b.partition = partition;
    b.timestampMillis = timestampMillis;
    return new OutgoingRecord(b);
  }

  /** Builds an {@link OutgoingRecord}; each setter validates its argument. */
  public static final class Builder {
    private final String topic;
    private byte @Nullable [] key;
    private byte @Nullable [] value;
    private @Nullable Map<String, String> headers;
    private int partition = -1;
    private long timestampMillis = -1;

    private Builder(String topic) {
      Topics.validateName(topic);
      this.topic = topic;
    }

    public Builder key(byte @Nullable [] key) {
      this.key = key;
      return this;
    }

    public Builder key(String key) {
      this.key = Serdes.string().serialize(Objects.requireNonNull(key, "key"));
      return this;
    }

    public Builder value(byte @Nullable [] value) {
      this.value = value;
      return this;
    }

    public <V> Builder value(V value, Serde<V> serde) {
      this.value = serde.serialize(value);
      return this;
    }

    public Builder header(String name, String headerValue) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name must not be empty (topic " + topic + ")");
      }
      Map<String, String> h = headers;
      if (h == null) {
        h = new LinkedHashMap<>();
        headers = h;
      }
      Objects.requireNonNull(headerValue, () -> "value of header " + name);
      try {
        Headers.checkEncodable(name, headerValue);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " (topic " + topic + ")", e);
      }
      h.put(name, headerValue);
      return this;
    }

    public Builder partition(int partition) {
      if (partition < 0) {
        throw new IllegalArgumentException(
            "partition must be >= 0, was " + partition + " (topic " + topic + ")");
      }
      this.partition = partition;
      return this;
    }

    public Builder timestampMillis(long timestampMillis) {
      if (timestampMillis < 0) {
        throw new IllegalArgumentException(
            "timestampMillis must be >= 0, was " + timestampMillis + " (topic " + topic + ")");
      }
      this.timestampMillis = timestampMillis;
      return this;
    }

    public OutgoingRecord build() {
      return new OutgoingRecord(this);
    }
  }
}
