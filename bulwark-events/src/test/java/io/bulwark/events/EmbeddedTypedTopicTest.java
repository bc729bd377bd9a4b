package io.bulwark.events;

import io.bulwark.events.kit.TypedTopicCompatibilityKit;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@link TypedTopicCompatibilityKit} against the embedded log. */
class EmbeddedTypedTopicTest extends TypedTopicCompatibilityKit {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Override
  protected EventLog newLog() {
    return EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
  }
}
