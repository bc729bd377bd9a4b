package io.bulwark.events;

import io.bulwark.events.kit.TypedTopicCompatibilityKit;
import io.bulwark.test.kafka.KafkaTestBroker;

/** The {@link TypedTopicCompatibilityKit} against a real single-node KRaft Kafka broker. */
class KafkaTypedTopicTest extends TypedTopicCompatibilityKit {
  @Override
  protected EventLog newLog() throws Exception {
    return EventLogs.kafka(
        KafkaLogConfig.builder(KafkaTestBroker.shared().bootstrapServers())
            .clientProperty("linger.ms", "1")
            .build());
  }
}
