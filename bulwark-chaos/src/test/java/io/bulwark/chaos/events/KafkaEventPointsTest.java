package io.bulwark.chaos.events;

import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.KafkaLogConfig;
import io.bulwark.test.kafka.KafkaTestBroker;
import java.nio.file.Path;

/** The event points on a real single-node KRaft Kafka broker (child JVM). */
class KafkaEventPointsTest extends EventPointsKit {
  @Override
  protected EventLog newLog(Path dir) {
    return EventLogs.kafka(
        KafkaLogConfig.builder(KafkaTestBroker.shared().bootstrapServers())
            .clientProperty("linger.ms", "1")
            .build());
  }
}
