package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.events.EventLogTelemetry;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.RedSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTelemetryTest {
  @TempDir Path dir;

  @Test
  void everyDurableSendIsCoveredByAGroupCommitInTheRedSeries() {
    try (BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build()) {
      try (EmbeddedEventLog log =
          EmbeddedEventLog.open(
              LogFixture.config(dir).listener(EventLogTelemetry.of(telemetry)).build())) {
        log.createTopic(TopicSpec.of("orders", 1));
        LogFixture.sendAll(log, "orders", 0, 5);
        assertThat(LogFixture.readAll(log, new TopicPartition("orders", 0))).hasSize(5);
      }
      RedSnapshot commits =
          telemetry.redSnapshots("dependency").stream()
              .filter(s -> s.name().equals(EventLogTelemetry.COMMIT))
              .findFirst()
              .orElseThrow();
      // each send waited for its own acknowledgement, so at least one commit cycle per record
      assertThat(commits.count(Outcome.SUCCESS)).isGreaterThanOrEqualTo(5);
      assertThat(commits.total()).isEqualTo(commits.count(Outcome.SUCCESS));
    }
  }

  @Test
  void rareEventsAreExplainedAsDecisions() {
    try (BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build()) {
      EventLogTelemetry listener = EventLogTelemetry.of(telemetry);
      TopicPartition tp = new TopicPartition("orders", 3);
      listener.onRecoveryTruncated(tp, "00000000000000000000.log", 17);
      listener.onCorruption(tp, "00000000000000000000.log", 4096);
      listener.onSegmentDeleted(tp, "00000000000000000000.log");
      listener.onRebalance("billing", 4, 2);
      listener.onDuplicateDropped(tp, 77, 3);
      listener.onCommittedOffsetClamped("audit", tp, 60, 42);

      String text = telemetry.scrapePrometheus();
      assertThat(text)
          .contains("component=\"orders-3\"")
          .contains("decision=\"recovery_truncated\"")
          .contains("decision=\"corruption\"")
          .contains("decision=\"retention_deleted\"")
          .contains("decision=\"duplicate_dropped\"")
          .contains("component=\"billing\"")
          .contains("decision=\"rebalance\"")
          .contains("component=\"audit\"")
          .contains("decision=\"offset_clamped\"");
    }
  }
}
