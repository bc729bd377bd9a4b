package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.ProducerConfig.WhenFull;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged record no longer holds buffer space: a producer whose buffer holds one record and
 * fails fast when full can always send again as soon as its last send is acknowledged. (The writer
 * once completed the futures of a group before giving their buffer space back, so a sender woken by
 * its acknowledgement could find its buffer still full.)
 */
class AckFreesBufferTest {
  @TempDir Path dir;

  @Test
  void aSendAfterTheLastAcknowledgementAlwaysFindsRoom() {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
      log.createTopic(TopicSpec.of("t", 2));
      Producer one =
          log.producer(
              ProducerConfig.builder().maxBufferedRecords(1).whenFull(WhenFull.FAIL_FAST).build());
      for (int i = 0; i < 3_000; i++) {
        long offset =
            one.send(OutgoingRecord.of("t", "k", "v" + i, Serdes.string())).join().offset();
        assertThat(offset).isEqualTo(i);
      }
    }
  }
}
