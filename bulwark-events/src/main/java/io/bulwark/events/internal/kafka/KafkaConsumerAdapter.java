package io.bulwark.events.internal.kafka;

import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.ConsumerConfig.StartFrom;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.internal.EventFaults;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
  // reports what is not UTF-8 instead of replacing it; one per consumer (a consumer polls on one
  // thread at a time)
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

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

  /**
   * Polls and converts. A record whose headers {@link Headers} cannot hold unaltered (written by
   * another Kafka client: a repeated name, a null value, bytes that are not UTF-8) is never
   * delivered altered: the records of its partition before it are delivered and its partition is
   * rewound to it; once it is the first record of its partition in a poll, that poll fails naming
   * it, with every partition rewound to its first polled record, so nothing is skipped. {@link
   * #seek} past it goes on.
   */
  @Override
  public List<EventRecord> poll(Duration timeout) {
    List<EventRecord> records = pollRecords(timeout);
    FaultInjector fi = FaultPoints.injector();
    return fi == null ? records : EventFaults.consume(fi, this, config.groupId(), records, timeout);
  }

  private List<EventRecord> pollRecords(Duration timeout) {
    ConsumerRecords<byte[], byte[]> polled;
    try {
      polled = consumer.poll(timeout);
    } catch (KafkaException e) {
      throw new EventLogException("poll of group " + config.groupId() + " failed: " + e, e);
    }
    List<EventRecord> out = new ArrayList<>();
    Map<org.apache.kafka.common.TopicPartition, Long> first = new HashMap<>();
    Set<org.apache.kafka.common.TopicPartition> stopped = new HashSet<>();
    EventLogException failure = null;
    for (ConsumerRecord<byte[], byte[]> r : polled) {
      org.apache.kafka.common.TopicPartition tp =
          new org.apache.kafka.common.TopicPartition(r.topic(), r.partition());
      boolean head = first.putIfAbsent(tp, r.offset()) == null;
      if (stopped.contains(tp)) {
        continue;
      }
      String problem;
      try {
        out.add(
            new EventRecord(
                r.topic(),
                r.partition(),
                r.offset(),
                r.timestamp(),
                r.key(),
                r.value(),
                headers(r)));
        continue;
      } catch (Unrepresentable e) {
        problem = String.valueOf(e.getMessage());
      }
      stopped.add(tp);
      consumer.seek(tp, r.offset());
      if (failure == null && head) {
        failure =
            new EventLogException(
                "record "
                    + b(tp)
                    + "@"
                    + r.offset()
                    + " has a header Bulwark's Headers cannot hold unaltered ("
                    + problem
                    + "); it was written by another Kafka client. Not delivered; seek past it"
                    + " (consumer.seek(partition, "
                    + (r.offset() + 1)
                    + ")) to go on");
      }
    }
    if (failure != null) {
      first.forEach(consumer::seek);
      throw failure;
    }
    return out;
  }

  /**
   * {@code r}'s headers, each value decoded once.
   *
   * @throws Unrepresentable if {@link Headers} cannot hold them unaltered
   */
  private Headers headers(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      if (h.key().isEmpty()) {
        throw new Unrepresentable("a header has an empty name");
      }
      byte[] v = h.value();
      if (v == null) {
        throw new Unrepresentable("header '" + h.key() + "' has a null value");
      }
      String value;
      try {
        value = utf8.decode(ByteBuffer.wrap(v)).toString();
      } catch (CharacterCodingException e) {
        throw new Unrepresentable("the value of header '" + h.key() + "' is not valid UTF-8");
      }
      if (map.put(h.key(), value) != null) {
        throw new Unrepresentable("header '" + h.key() + "' is repeated");
      }
    }
    return Headers.of(map);
  }

  /** Why a record's headers cannot become {@link Headers} unaltered. Stackless. */
  private static final class Unrepresentable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unrepresentable(String problem) {
      super(problem, null, false, false);
    }
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
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
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
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
  }
}
