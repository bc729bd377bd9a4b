package io.bulwark.test.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Plain Kafka clients, no Bulwark code in between, produce to and consume from the test broker: an
 * idempotent producer's very first batches to a just-created topic all land, in order, in every
 * partition.
 */
class KafkaTestBrokerTest {
  private static final int PARTITIONS = 3;
  private static final int PER_PARTITION = 50;
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private final KafkaTestBroker broker = KafkaTestBroker.shared();

  @Test
  void idempotentProducerFirstBatchesToANewTopicAllLandInOrder() throws Exception {
    broker.createTopic("fresh", PARTITIONS);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer = producer()) {
      for (int i = 0; i < PER_PARTITION; i++) {
        for (int p = 0; p < PARTITIONS; p++) {
          sent.add(producer.send(new ProducerRecord<>("fresh", p, "k", p + ":" + i)));
        }
      }
      for (Future<RecordMetadata> f : sent) {
        f.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
      }
    }
    Map<Integer, List<String>> read = readAll("fresh", PARTITIONS * PER_PARTITION);

    assertThat(read).hasSize(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < PER_PARTITION; i++) {
        expected.add(p + ":" + i);
      }
      assertThat(read.get(p)).as("partition %d", p).isEqualTo(expected);
    }
  }

  @Test
  void aTopicIsCreatedOnceAndTopicsAreNeverCreatedOnTheFly() throws Exception {
    broker.createTopic("once", 1);
    assertThatThrownBy(() -> broker.createTopic("once", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot create topic once");
    try (KafkaProducer<String, String> producer = producer(Map.of("max.block.ms", "1500"))) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>("never-created", "v"))
                      .get(LIMIT.toSeconds(), TimeUnit.SECONDS))
          .hasStackTraceContaining("never-created");
    }
  }

  @Test
  void badTopicArgumentsAreRejectedWithTheValue() {
    assertThatThrownBy(() -> broker.createTopic(" ", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic must not be blank, was \" \"");
    assertThatThrownBy(() -> broker.createTopic("t", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions must be positive, was 0");
  }

  private KafkaProducer<String, String> producer() {
    return producer(Map.of());
  }

  private KafkaProducer<String, String> producer(Map<String, String> extra) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "1");
    p.putAll(extra);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /** Reads every partition from the start until {@code count} records arrived (bounded). */
  private Map<Integer, List<String>> readAll(String topic, int count) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    Map<Integer, List<String>> out = new TreeMap<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int i = 0; i < PARTITIONS; i++) {
        all.add(new TopicPartition(topic, i));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      long end = System.nanoTime() + LIMIT.toNanos();
      int got = 0;
      while (got < count && System.nanoTime() - end < 0) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.value());
          got++;
        }
      }
    }
    return out;
  }
}
