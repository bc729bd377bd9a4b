package io.bulwark.events;

import io.bulwark.events.kit.EventLogCompatibilityKit;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The compatibility kit against the embedded log (fsync per batch, real clock). */
class EmbeddedEventLogTest extends EventLogCompatibilityKit {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Override
  protected EventLog newLog() {
    return EventLogs.embedded(EmbeddedLogConfig.builder(dir).segmentBytes(4096).build());
  }
}
