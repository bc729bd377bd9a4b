package io.bulwark.events;

import io.bulwark.events.kit.ExactlyOnceProcessorCompatibilityKit;
import io.bulwark.test.kafka.KafkaTestBroker;

/**
 * The {@link ExactlyOnceProcessorCompatibilityKit} against a real single-node KRaft Kafka broker.
 */
class KafkaExactlyOnceProcessorTest extends ExactlyOnceProcessorCompatibilityKit {
  @Override
  protected EventLog newLog() throws Exception {
    return EventLogs.kafka(
        KafkaLogConfig.builder(KafkaTestBroker.shared().bootstrapServers())
            .clientProperty("linger.ms", "1")
            .build());
  }
}
