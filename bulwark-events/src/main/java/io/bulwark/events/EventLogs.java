package io.bulwark.events;

import io.bulwark.events.internal.embedded.EmbeddedEventLog;
import io.bulwark.events.internal.kafka.KafkaEventLog;

/** Opens an {@link EventLog} on either backend. Switching backends is configuration, not code. */
public final class EventLogs {
  private EventLogs() {}

  /** The embedded log in {@code config.directory()}, recovered if it exists. */
  public static EventLog embedded(EmbeddedLogConfig config) {
    return EmbeddedEventLog.open(config);
  }

  /** A log on a Kafka cluster. */
  public static EventLog kafka(KafkaLogConfig config) {
    return new KafkaEventLog(config);
  }

  /** The log described by {@code config} (e.g. loaded from YAML by {@link EventLogConfig}). */
  public static EventLog open(EventLogConfig config) {
    EmbeddedLogConfig embedded = config.embedded();
    KafkaLogConfig kafka = config.kafka();
    if (embedded != null) {
      return embedded(embedded);
    }
    if (kafka != null) {
      return kafka(kafka);
    }
    throw new IllegalStateException("EventLogConfig names no backend");
  }
}
