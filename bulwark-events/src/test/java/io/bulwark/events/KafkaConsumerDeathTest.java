package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.testing.ConsumerChild;
import io.bulwark.test.kafka.KafkaTestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redelivery after a consumer really dies on Kafka: a consumer in a child JVM reads records without
 * committing and is killed with SIGKILL (no leave-group); after its session times out, a new member
 * of the group receives the same records.
 */
class KafkaConsumerDeathTest {
  @Test
  void recordsOfAKilledConsumerAreRedeliveredAfterItsSessionTimesOut() throws Exception {
    String bootstrap = KafkaTestBroker.shared().bootstrapServers();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String topic = "death-" + suffix;
    String group = "death-" + suffix;
    try (EventLog log = EventLogs.kafka(KafkaLogConfig.builder(bootstrap).build())) {
      log.createTopic(TopicSpec.of(topic, 2));
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        for (int i = 0; i < 10; i++) {
          p.send(OutgoingRecord.of(topic, "k" + i, "v" + i, Serdes.string())).join();
        }
      }
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child =
          new ProcessBuilder(
                  java,
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  System.getProperty("java.class.path"),
                  ConsumerChild.class.getName(),
                  bootstrap,
                  topic,
                  group,
                  "10")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        assertThat(in.readLine()).isEqualTo("GOT 10");
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      List<EventRecord> again = new ArrayList<>();
      try (Consumer c =
          log.consumer(
              ConsumerConfig.builder(group).sessionTimeout(Duration.ofSeconds(2)).build())) {
        c.subscribe(List.of(topic));
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (again.size() < 10 && System.nanoTime() < end) {
          again.addAll(c.poll(Duration.ofMillis(200)));
        }
      }
      assertThat(again)
          .extracting(r -> r.value(Serdes.string()))
          .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }
  }
}
