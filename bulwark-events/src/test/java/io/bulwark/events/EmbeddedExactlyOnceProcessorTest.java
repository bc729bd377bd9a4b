package io.bulwark.events;

import io.bulwark.events.kit.ExactlyOnceProcessorCompatibilityKit;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@link ExactlyOnceProcessorCompatibilityKit} against the embedded log. */
class EmbeddedExactlyOnceProcessorTest extends ExactlyOnceProcessorCompatibilityKit {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Override
  protected EventLog newLog() {
    return EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
  }
}
