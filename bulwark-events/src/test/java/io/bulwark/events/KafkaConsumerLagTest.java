package io.bulwark.events;

import io.bulwark.events.kit.ConsumerLagCompatibilityKit;
import io.bulwark.test.kafka.KafkaTestBroker;

/** The lag kit against a real single-node KRaft Kafka broker (through the admin client). */
class KafkaConsumerLagTest extends ConsumerLagCompatibilityKit {
  @Override
  protected EventLog newLog() throws Exception {
    return EventLogs.kafka(
        KafkaLogConfig.builder(KafkaTestBroker.shared().bootstrapServers())
            .clientProperty("linger.ms", "1")
            .build());
  }
}
