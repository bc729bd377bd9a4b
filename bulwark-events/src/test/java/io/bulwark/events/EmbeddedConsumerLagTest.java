package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.kit.ConsumerLagCompatibilityKit;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lag kit against the embedded log, plus lag across a restart of the log. */
class EmbeddedConsumerLagTest extends ConsumerLagCompatibilityKit {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Override
  protected EventLog newLog() {
    return EventLogs.embedded(EmbeddedLogConfig.builder(dir).segmentBytes(4096).build());
  }

  @Test
  void lagSurvivesARestartOfTheLog() {
    String t = topic("restart", 2);
    String g = group("audit");
    sendTo(t, 0, 9);
    sendTo(t, 1, 2);
    Consumer c = consumer(g, t);
    pollAtLeast(c, 11);
    c.commitSync(Map.of(new TopicPartition(t, 0), 3L));
    c.close();
    log.close();

    log = newLog();
    assertThat(log.consumerGroups()).containsExactly(g);
    assertThat(log.consumerLag(g, t))
        .containsExactly(
            new PartitionLag(g, new TopicPartition(t, 0), 0, 9, OptionalLong.of(3), 6),
            new PartitionLag(g, new TopicPartition(t, 1), 0, 2, OptionalLong.empty(), 2));
  }
}
