package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A typed topic validates its name and serdes, and decodes only records of its own topic. */
class TopicTest {
  private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string());

  private static EventRecord record(String topic, byte[] key, byte[] value) {
    return new EventRecord(topic, 1, 42, 0, key, value, Headers.empty());
  }

  @Test
  void aBadNameOrAMissingSerdeIsRejectedNamingIt() {
    assertThatThrownBy(() -> Topic.of("no spaces", Serdes.string()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'no spaces'");
    assertThatThrownBy(() -> Topic.of("", Serdes.string()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1..249 characters");
    assertThatThrownBy(() -> Topic.of("orders", Serdes.string(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("valueSerde of topic orders");
    assertThatThrownBy(() -> Topic.of("orders", null, Serdes.string()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keySerde of topic orders");
  }

  @Test
  void aRecordOfAnotherTopicIsNotDecodedWithThisTopicsSerdes() {
    EventRecord payments = record("payments", "k".getBytes(StandardCharsets.UTF_8), new byte[0]);
    assertThatThrownBy(() -> ORDERS.decode(payments))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payments-1@42")
        .hasMessageContaining("'payments', not 'orders'");
  }

  @Test
  void aKeyThatCannotBeDecodedIsNamedWithItsRecord() {
    Topic<String, String> json = Topic.of("orders", Serdes.json(String.class), Serdes.string());
    EventRecord r = record("orders", "{not json".getBytes(StandardCharsets.UTF_8), new byte[0]);
    assertThatThrownBy(() -> json.decode(r))
        .isInstanceOf(SerdeException.class)
        .hasMessageStartingWith("key of record orders-1@42: cannot read java.lang.String");
  }

  @Test
  void recordBuildsTheRawRecordAndDecodeReadsItBack() {
    OutgoingRecord out = ORDERS.record("o-1", "placed").header("type", "x").build();
    assertThat(out.topic()).isEqualTo("orders");
    assertThat(out.key()).isEqualTo("o-1".getBytes(StandardCharsets.UTF_8));
    assertThat(out.value()).isEqualTo("placed".getBytes(StandardCharsets.UTF_8));
    TypedRecord<String, String> back = ORDERS.decode(record("orders", out.key(), out.value()));
    assertThat(back.key()).isEqualTo("o-1");
    assertThat(back.value()).isEqualTo("placed");
    assertThat(back.offset()).isEqualTo(42);
    assertThat(back.topicPartition()).isEqualTo(new TopicPartition("orders", 1));
    OutgoingRecord tombstone = ORDERS.record(null, null).build();
    assertThat(tombstone.key()).isNull();
    assertThat(tombstone.value()).isNull();
  }
}
