package io.bulwark.events.internal.kafka;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.ConsumerConfig.StartFrom;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import io.bulwark.events.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** {@link Consumer} on a {@link KafkaConsumer}: manual commits, read_committed. */
final class KafkaConsumerAdapter implements Consumer {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ConsumerConfig config;

  KafkaConsumerAdapter(KafkaEventLog log, ConsumerConfig config) {
    this.config = config;
    Map<String, Object> p = log.baseProperties();
    p.put("group.id", config.groupId());
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    p.put("auto.offset.reset", config.startFrom() == StartFrom.EARLIEST ? "earliest" : "latest");
    p.put("max.poll.records", Integer.toString(config.maxPollRecords()));
    long session = config.sessionTimeout().toMillis();
    p.put("session.timeout.ms", Long.toString(session));
    p.put("heartbeat.interval.ms", Long.toString(Math.max(1, session / 3)));
    p.putAll(log.overrides());
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static org.apache.kafka.common.TopicPartition k(TopicPartition tp) {
    return new org.apache.kafka.common.TopicPartition(tp.topic(), tp.partition());
  }

  private static TopicPartition b(org.apache.kafka.common.TopicPartition tp) {
    return new TopicPartition(tp.topic(), tp.partition());
  }

  ConsumerGroupMetadata groupMetadata() {
    return consumer.groupMetadata();
  }

  @Override
  public void subscribe(Collection<String> topics) {
    consumer.subscribe(List.copyOf(topics));
  }

  @Override
  public List<EventRecord> poll(Duration timeout) {
    try {
      List<EventRecord> out = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
        out.add(
            new EventRecord(
                r.topic(),
                r.partition(),
                r.offset(),
                r.timestamp(),
                r.key(),
                r.value(),
                headers(r)));
      }
      return out;
    } catch (KafkaException e) {
      throw new EventLogException("poll of group " + config.groupId() + " failed: " + e, e);
    }
  }

  private static Headers headers(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      byte[] v = h.value();
      map.put(h.key(), v == null ? "" : new String(v, StandardCharsets.UTF_8));
    }
    return Headers.of(map);
  }

  @Override
  public void commitSync() {
    try {
      consumer.commitSync();
    } catch (KafkaException e) {
      throw new EventLogException("commit of group " + config.groupId() + " refused: " + e, e);
    }
  }

  @Override
  public void commitSync(Map<TopicPartition, Long> offsets) {
    Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> map = new HashMap<>();
    offsets.forEach((tp, o) -> map.put(k(tp), new OffsetAndMetadata(o)));
    try {
      consumer.commitSync(map);
    } catch (KafkaException e) {
      throw new EventLogException("commit of group " + config.groupId() + " refused: " + e, e);
    }
  }

  @Override
  public OptionalLong committed(TopicPartition partition) {
    OffsetAndMetadata m = consumer.committed(Set.of(k(partition))).get(k(partition));
    return m == null ? OptionalLong.empty() : OptionalLong.of(m.offset());
  }

  @Override
  public Set<TopicPartition> assignment() {
    return consumer.assignment().stream().map(KafkaConsumerAdapter::b).collect(Collectors.toSet());
  }

  @Override
  public long position(TopicPartition partition) {
    return consumer.position(k(partition));
  }

  @Override
  public void seek(TopicPartition partition, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0 but was " + offset);
    }
    consumer.seek(k(partition), offset);
  }

  @Override
  public void seekToTime(TopicPartition partition, Instant time) {
    org.apache.kafka.common.TopicPartition tp = k(partition);
    OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, time.toEpochMilli())).get(tp);
    if (found == null) {
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
    } else {
      consumer.seek(tp, found.offset());
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(10));
  }
}
