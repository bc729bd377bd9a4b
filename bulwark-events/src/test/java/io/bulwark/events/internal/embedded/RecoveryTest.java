package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.CorruptLogException;
import io.bulwark.events.EmbeddedLogConfig.CorruptionPolicy;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private final TopicPartition tp = new TopicPartition("t", 0);

  private EmbeddedEventLog open(CorruptionPolicy policy, EventLogListener listener) {
    return EmbeddedEventLog.open(
        LogFixture.config(dir).corruptionPolicy(policy).listener(listener).build());
  }

  @Test
  void tornTailsAtRandomPointsAreTruncatedAndEveryAcknowledgedRecordSurvives() throws Exception {
    Random random = new Random(7);
    int acked = 0;
    for (int round = 0; round < 30; round++) {
      try (EmbeddedEventLog log = open(CorruptionPolicy.FAIL, EventLogListener.NONE)) {
        log.createTopic(TopicSpec.of("t", 1));
        assertThat(LogFixture.readAll(log, tp)).hasSize(acked);
        LogFixture.sendAll(log, "t", acked, acked + 1 + random.nextInt(5));
        acked = (int) log.partition(tp).durableEnd();
      }
      // an unacknowledged batch torn at a random byte, as a power loss mid-write leaves it
      List<Path> segs = LogFixture.segments(dir, "t", 0);
      Path last = segs.get(segs.size() - 1);
      ByteBuffer batch =
          BatchCodec.encode(
              List.of(new BatchCodec.Entry(1, null, "torn".repeat(20).getBytes(), Headers.empty())),
              0,
              1,
              acked,
              -1,
              -1);
      int keep = 1 + random.nextInt(batch.remaining() - 1);
      try (FileChannel ch =
          FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        ch.write(batch.limit(keep));
      }
    }
    AtomicLong truncated = new AtomicLong();
    try (EmbeddedEventLog log =
        open(
            CorruptionPolicy.FAIL,
            new EventLogListener() {
              @Override
              public void onRecoveryTruncated(TopicPartition partition, String file, long bytes) {
                truncated.addAndGet(bytes);
              }
            })) {
      List<EventRecord> all = LogFixture.readAll(log, tp);
      assertThat(all).hasSize(acked);
      for (int i = 0; i < acked; i++) {
        assertThat(all.get(i).offset()).isEqualTo(i);
        assertThat(all.get(i).value(Serdes.string())).isEqualTo("value-" + i);
      }
      assertThat(truncated.get()).isPositive();
    }
  }

  @Test
  void corruptionInsideAClosedSegmentIsReportedWithFileAndPositionAndNeverServed()
      throws Exception {
    try (EmbeddedEventLog log = open(CorruptionPolicy.FAIL, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      LogFixture.sendAll(log, "t", 0, 60);
    }
    List<Path> segs = LogFixture.segments(dir, "t", 0);
    assertThat(segs.size()).isGreaterThan(2);
    Path first = segs.get(0);
    long size = Files.size(first);
    flipByte(first, size / 2);
    assertThatThrownBy(() -> open(CorruptionPolicy.FAIL, EventLogListener.NONE))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(first.getFileName().toString())
        .hasMessageContaining("at byte");
    try (EmbeddedEventLog repaired = open(CorruptionPolicy.TRUNCATE, EventLogListener.NONE)) {
      List<EventRecord> left = LogFixture.readAll(repaired, tp);
      assertThat(left.size()).isLessThan(60);
      for (int i = 0; i < left.size(); i++) {
        assertThat(left.get(i).value(Serdes.string())).isEqualTo("value-" + i);
      }
      assertThat(LogFixture.segments(dir, "t", 0)).hasSize(1);
      LogFixture.sendAll(repaired, "t", left.size(), left.size() + 1);
      assertThat(LogFixture.readAll(repaired, tp)).hasSize(left.size() + 1);
    }
  }

  @Test
  void corruptionAppearingWhileOpenFailsTheReadInsteadOfServingBadData() throws Exception {
    try (EmbeddedEventLog log = open(CorruptionPolicy.FAIL, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      LogFixture.sendAll(log, "t", 0, 5);
      Path seg = LogFixture.segments(dir, "t", 0).get(0);
      flipByte(seg, Files.size(seg) - 3);
      assertThatThrownBy(() -> LogFixture.readAll(log, tp))
          .isInstanceOf(CorruptLogException.class)
          .hasMessageContaining("CRC mismatch");
    }
  }

  private static void flipByte(Path file, long position) throws Exception {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
      ch.write(b, position);
    }
  }
}
