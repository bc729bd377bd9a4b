package io.bulwark.events.kit;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.Consumer;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Partitioner;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serde;
import io.bulwark.events.SerdeException;
import io.bulwark.events.Serdes;
import io.bulwark.events.Topic;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TypedRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Typed topics ({@link Topic}) on every backend: keys and values encoded once by the topic's serdes
 * on send and decoded on poll, null keys and tombstones passed through, records placed like the raw
 * record of the same key bytes, and a record that cannot be decoded never skipped.
 */
public abstract class TypedTopicCompatibilityKit extends KitLog {

  /** A JSON payload. */
  public record Shipment(String orderId, int parcels) {}

  /** Big-endian 8-byte longs. */
  private static final Serde<Long> LONGS =
      new Serde<>() {
        @Override
        public byte[] serialize(Long value) {
          return ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override
        public Long deserialize(byte[] bytes) {
          return ByteBuffer.wrap(bytes).getLong();
        }
      };

  private static <K, V> List<TypedRecord<K, V>> pollCount(
      Consumer c, Topic<K, V> topic, int count) {
    List<TypedRecord<K, V>> out = new ArrayList<>();
    long end = deadline();
    while (out.size() < count) {
      before(end, count + " records of " + topic + ", got " + out.size());
      out.addAll(c.poll(topic, POLL));
    }
    return out;
  }

  @Test
  void typedSendsAndPollsRoundTripKeysValuesTombstonesAndKeylessRecords() {
    Topic<String, Shipment> shipments =
        Topic.of(topic("shipments", 1), Serdes.json(Shipment.class));
    Producer p = producer(ProducerConfig.defaults());
    p.send(shipments, "o-1", new Shipment("o-1", 2)).join();
    p.send(shipments, "o-2", new Shipment("o-2", 1)).join();
    p.send(shipments, "o-1", null).join();
    p.send(shipments.record(null, new Shipment("none", 0)).header("type", "probe").build()).join();

    Consumer c = consumer(group("shipments"), shipments.name());
    List<TypedRecord<String, Shipment>> got = pollCount(c, shipments, 4);
    assertThat(got).extracting(TypedRecord::key).containsExactly("o-1", "o-2", "o-1", null);
    assertThat(got)
        .extracting(TypedRecord::value)
        .containsExactly(
            new Shipment("o-1", 2), new Shipment("o-2", 1), null, new Shipment("none", 0));
    assertThat(got).extracting(TypedRecord::offset).containsExactly(0L, 1L, 2L, 3L);
    assertThat(got.get(2).record().value()).as("a tombstone has no value bytes").isNull();
    assertThat(got.get(3).record().key()).as("a null key is no key").isNull();
    assertThat(got.get(3).record().headers().get("type")).isEqualTo("probe");
    assertThat(got.get(0).record().value())
        .isEqualTo(Serdes.json(Shipment.class).serialize(new Shipment("o-1", 2)));
  }

  @Test
  void aTypedRecordLandsInThePartitionOfItsEncodedKeyBytes() {
    Topic<Long, String> byId = Topic.of(topic("by-id", 3), LONGS, Serdes.string());
    Producer p = producer(ProducerConfig.defaults());
    List<RecordMetadata> sent = new ArrayList<>();
    for (long id = 0; id < 30; id++) {
      sent.add(p.send(byId, id * 7919, "v" + id).join());
    }
    for (int i = 0; i < sent.size(); i++) {
      byte[] keyBytes = LONGS.serialize(i * 7919L);
      assertThat(sent.get(i).partition())
          .as("partition of key %d", i * 7919L)
          .isEqualTo(Partitioner.partitionFor(keyBytes, 3));
    }
    assertThat(sent).extracting(RecordMetadata::partition).contains(0, 1, 2);
    Consumer c = consumer(group("by-id"), byId.name());
    List<TypedRecord<Long, String>> got = pollCount(c, byId, 30);
    for (TypedRecord<Long, String> r : got) {
      assertThat(r.record().key()).isEqualTo(LONGS.serialize(r.key()));
      assertThat(r.value()).isEqualTo("v" + (r.key() / 7919));
    }
  }

  @Test
  void aRecordThatCannotBeDecodedIsNeverSkippedAndIsNamedOnceItIsFirst() {
    Topic<String, Shipment> shipments =
        Topic.of(topic("undecodable", 1), Serdes.json(Shipment.class));
    Producer p = producer(ProducerConfig.defaults());
    p.send(shipments, "o-1", new Shipment("o-1", 1)).join();
    p.send(OutgoingRecord.of(shipments.name(), "o-2", "not json", Serdes.string())).join();
    p.send(shipments, "o-3", new Shipment("o-3", 3)).join();
    Consumer c = consumer(group("undecodable"), shipments.name());
    TopicPartition tp = new TopicPartition(shipments.name(), 0);

    List<TypedRecord<String, Shipment>> delivered = new ArrayList<>();
    SerdeException failure = null;
    long end = deadline();
    while (failure == null) {
      before(end, "the poll that names the undecodable record");
      try {
        delivered.addAll(c.poll(shipments, POLL));
      } catch (SerdeException e) {
        failure = e;
      }
    }
    assertThat(delivered).extracting(TypedRecord::key).containsExactly("o-1");
    assertThat(failure)
        .hasMessageContaining("value of record " + tp + "@1")
        .hasMessageContaining("Shipment")
        .hasMessageContaining("seek(" + tp + ", 2)");
    assertThat(c.position(tp)).as("rewound to the undecodable record").isEqualTo(1);

    c.seek(tp, 2);
    assertThat(pollCount(c, shipments, 1))
        .extracting(TypedRecord::value)
        .containsExactly(new Shipment("o-3", 3));
  }

  @Test
  void aTypedPollOfAConsumerReadingAnotherTopicFailsAndSkipsNothing() {
    Topic<String, String> mine = Topic.of(topic("mine", 1), Serdes.string());
    Topic<String, String> other = Topic.of(topic("other", 1), Serdes.string());
    Producer p = producer(ProducerConfig.defaults());
    p.send(mine, "k", "m0").join();
    p.send(other, "k", "o0").join();
    Consumer c = consumer(group("two-topics"), mine.name());
    c.subscribe(List.of(mine.name(), other.name()));

    List<String> delivered = new ArrayList<>();
    IllegalStateException failure = null;
    long end = deadline();
    while (failure == null) {
      before(end, "the typed poll to meet the other topic's record");
      try {
        c.poll(mine, POLL).forEach(r -> delivered.add(r.value()));
      } catch (IllegalStateException e) {
        failure = e;
      }
    }
    assertThat(failure)
        .hasMessageContaining("poll(" + mine + ")")
        .hasMessageContaining(other.name() + "-0@0");
    p.send(mine, "k", MARKER).join(); // anything redelivered to mine arrives before it
    long deadline = deadline();
    while (!delivered.contains("o0") || !delivered.contains(MARKER)) {
      before(deadline, "the other topic's record, redelivered, and the marker");
      for (EventRecord r : c.poll(POLL)) {
        Topic<String, String> own = r.topic().equals(mine.name()) ? mine : other;
        delivered.add(own.decode(r).value());
      }
    }
    assertThat(delivered).containsExactlyInAnyOrder("m0", "o0", MARKER);
  }
}
