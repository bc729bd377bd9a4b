package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.time.Clock;
import io.bulwark.test.VirtualClock;
import io.bulwark.test.kafka.KafkaTestBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The Kafka backend reads time through the injected {@link KafkaLogConfig#clock()} where it
 * measures or decides (the Kafka client's own timers are out of its reach).
 */
class KafkaClockTest {
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  @Test
  void theDeadlineARecordCarriesIsAnInstantOnTheInjectedWallClock() throws Exception {
    VirtualClock clock = new VirtualClock(Instant.parse("2031-03-01T00:00:00Z"));
    String topic = "clock-" + suffix;
    try (EventLog log = kafka(clock);
        Producer p = log.producer(ProducerConfig.defaults());
        Consumer c = log.consumer(ConsumerConfig.builder("clock-" + suffix).build())) {
      log.createTopic(TopicSpec.of(topic, 1));
      Context.root()
          .withDeadline(Deadline.after(Duration.ofSeconds(5), clock))
          .run(() -> p.send(OutgoingRecord.of(topic, "k", "v", Serdes.string())).join());
      c.subscribe(List.of(topic));
      List<EventRecord> got = new ArrayList<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (got.isEmpty()) {
        assertThat(System.nanoTime() - end).as("waiting for the record").isNegative();
        got.addAll(c.poll(Duration.ofMillis(100)));
      }
      assertThat(got.get(0).headers().get(EventRecord.DEADLINE_AT_HEADER))
          .isEqualTo(Long.toString(Instant.parse("2031-03-01T00:00:05Z").toEpochMilli()));
    }
  }

  @Test
  void waitingForANewTopicsLeadersIsBoundedOnTheInjectedClock() throws Exception {
    // every reading is 31 s after the previous one: the 30 s bound has passed at the first check
    AtomicLong nanos = new AtomicLong();
    Clock leaping =
        new Clock() {
          @Override
          public long nanoTime() {
            return nanos.addAndGet(TimeUnit.SECONDS.toNanos(31));
          }

          @Override
          public long wallMillis() {
            return System.currentTimeMillis();
          }
        };
    String topic = "leaping-" + suffix;
    try (EventLog log = kafka(leaping)) {
      assertThatThrownBy(() -> log.createTopic(TopicSpec.of(topic, 1)))
          .isInstanceOf(EventLogException.class)
          .hasMessageContaining("topic " + topic + " created, but its partitions have no working")
          .hasMessageContaining("after 30 s");
    }
  }

  private static EventLog kafka(Clock clock) throws Exception {
    return EventLogs.kafka(
        KafkaLogConfig.builder(KafkaTestBroker.shared().bootstrapServers()).clock(clock).build());
  }
}
