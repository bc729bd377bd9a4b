package io.bulwark.data.cache;

import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.KafkaLogConfig;
import io.bulwark.test.kafka.KafkaTestBroker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Invalidation over a real single-node Kafka broker: each instance has its own client (producer and
 * consumer group). The topic is created through the broker first, which waits until its partition
 * has a working leader, so an idempotent producer's first batch is not refused.
 */
class KafkaInvalidationTest extends InvalidationCompatibilityKit {
  private final List<EventLog> logs = new ArrayList<>();

  @Override
  protected EventLog newLog(int instance) {
    EventLog log =
        EventLogs.kafka(
            KafkaLogConfig.builder(KafkaTestBroker.shared().bootstrapServers())
                .clientProperty("linger.ms", "0")
                .build());
    logs.add(log);
    return log;
  }

  @Override
  protected void createTopic(String topic) {
    KafkaTestBroker.shared().createTopic(topic, 1);
  }

  @Override
  protected int writes() {
    return Integer.getInteger("bulwark.cache.kafkaInvalidationWrites", 60);
  }

  @AfterEach
  void closeLogs() {
    for (EventLog log : logs) {
      log.close();
    }
  }
}
