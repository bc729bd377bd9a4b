package io.bulwark.data.cache;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Invalidation over the embedded event log: three instances share one log in this process. */
class EmbeddedInvalidationTest extends InvalidationCompatibilityKit {
  @TempDir Path dir;
  private EventLog log;

  @Override
  protected EventLog newLog(int instance) {
    if (log == null) {
      log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
    }
    return log;
  }

  @AfterEach
  void closeLog() {
    if (log != null) {
      log.close();
    }
  }
}
