package io.bulwark.events;

import io.bulwark.events.kit.EventLogCompatibilityKit;
import io.bulwark.test.kafka.KafkaTestBroker;

/** The compatibility kit against a real single-node KRaft Kafka broker (child JVM). */
class KafkaEventLogTest extends EventLogCompatibilityKit {
  @Override
  protected EventLog newLog() throws Exception {
    return EventLogs.kafka(
        KafkaLogConfig.builder(KafkaTestBroker.shared().bootstrapServers())
            .clientProperty("linger.ms", "1")
            .build());
  }
}
