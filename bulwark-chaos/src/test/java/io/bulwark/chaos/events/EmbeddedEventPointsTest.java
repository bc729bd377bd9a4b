package io.bulwark.chaos.events;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import java.nio.file.Path;

/** The event points on the embedded log. */
class EmbeddedEventPointsTest extends EventPointsKit {
  @Override
  protected EventLog newLog(Path dir) {
    return EventLogs.embedded(EmbeddedLogConfig.builder(dir.resolve("log")).build());
  }
}
