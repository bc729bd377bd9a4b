package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.kafka.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Records written to Kafka by other clients may carry headers that {@link Headers} (unique names,
 * UTF-8 string values) cannot hold: a repeated name, a null value, bytes that are not UTF-8. The
 * consumer never alters them silently: it delivers the records before such a record, then fails the
 * poll naming it, without skipping anything; {@code seek} past it goes on.
 */
class KafkaForeignHeadersTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aHeaderTheApiCannotHoldFailsThePollNamingTheRecordAndNothingIsSkipped() throws Exception {
    String bootstrap = KafkaTestBroker.shared().bootstrapServers();
    String t = "foreign-" + UUID.randomUUID().toString().substring(0, 8);
    List<List<RecordHeader>> bad =
        List.of(
            List.of(new RecordHeader("dup", bytes("a")), new RecordHeader("dup", bytes("b"))),
            List.of(new RecordHeader("nothing", (byte[]) null)),
            List.of(new RecordHeader("binary", new byte[] {(byte) 0xc3, 0x28})));
    List<String> reasons = List.of("repeated", "null value", "not valid UTF-8");
    try (EventLog log = EventLogs.kafka(KafkaLogConfig.builder(bootstrap).build());
        KafkaProducer<byte[], byte[]> raw =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
      log.createTopic(TopicSpec.of(t, 1));
      // good-0, bad-1, good-2, bad-3, good-4, bad-5, good-6
      for (int i = 0; i < 7; i++) {
        List<RecordHeader> headers =
            i % 2 == 0 ? List.of(new RecordHeader("ok", bytes("é" + i))) : bad.get(i / 2);
        List<Header> kafkaHeaders = new ArrayList<>(headers);
        raw.send(new ProducerRecord<>(t, 0, (byte[]) null, bytes("v" + i), kafkaHeaders)).get();
      }
      try (Consumer c = log.consumer(ConsumerConfig.builder("g-" + t).build())) {
        c.subscribe(List.of(t));
        TopicPartition tp = new TopicPartition(t, 0);
        List<String> values = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
          int badOffset = 2 * b + 1;
          values.addAll(pollUntilFailure(c, tp, badOffset, reasons.get(b)));
          assertThat(values).hasSize(b + 1);
          c.seek(tp, badOffset + 1);
        }
        long end = System.nanoTime() + WAIT.toNanos();
        while (values.size() < 4 && System.nanoTime() < end) {
          c.poll(Duration.ofMillis(100)).forEach(r -> values.add(value(r)));
        }
        assertThat(values).containsExactly("v0 é0", "v2 é2", "v4 é4", "v6 é6");
      }
    }
  }

  /** Polls, collecting records, until the poll fails on the bad record; returns what came. */
  private static List<String> pollUntilFailure(
      Consumer c, TopicPartition tp, int badOffset, String reason) {
    List<String> values = new ArrayList<>();
    long end = System.nanoTime() + WAIT.toNanos();
    while (true) {
      assertThat(System.nanoTime()).as("no failure for offset %d", badOffset).isLessThan(end);
      try {
        c.poll(Duration.ofMillis(100)).forEach(r -> values.add(value(r)));
      } catch (EventLogException e) {
        assertThat(e)
            .hasMessageContaining(tp + "@" + badOffset)
            .hasMessageContaining(reason)
            .hasMessageContaining("seek");
        // the failure repeats until the application seeks past the record
        assertThatThrownBy(() -> pollUntilAnything(c)).isInstanceOf(EventLogException.class);
        return values;
      }
    }
  }

  private static void pollUntilAnything(Consumer c) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      if (!c.poll(Duration.ofMillis(100)).isEmpty()) {
        return;
      }
    }
  }

  private static String value(EventRecord r) {
    return r.value(Serdes.string()) + " " + r.headers().get("ok");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
