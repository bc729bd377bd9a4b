package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Page-cache drop-behind: durable bytes more than {@link PartitionLog#CACHED_TAIL_BYTES} behind the
 * tail, and rolled segments older than the newest one, are handed to the OS to drop, in chunks,
 * never the tail window; every record stays readable and intact (dropped pages are reread from the
 * file), within one segment and across rolls, and after a reopen. Runs where drop-behind is
 * available (Linux with native access, as the module's tests are configured).
 */
class DropBehindTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private static final TopicPartition TP = new TopicPartition("t", 0);
  private static final int VALUE = 64 * 1024;

  /** Sends {@code count} tagged 64 KiB records; returns once all are acknowledged. */
  private static void send(EmbeddedEventLog log, int count) {
    Random random = new Random(1);
    try (Producer p = log.producer(ProducerConfig.builder().maxBufferedRecords(64).build())) {
      for (int i = 0; i < count; i++) {
        byte[] v = new byte[VALUE];
        random.nextBytes(v);
        ByteBuffer.wrap(v).putInt(i);
        var unused = p.send(OutgoingRecord.builder("t").partition(0).value(v).build());
      }
    }
  }

  private static void checkAll(EmbeddedEventLog log, int count) {
    List<EventRecord> records = LogFixture.readAll(log, TP);
    assertThat(records).hasSize(count);
    Random random = new Random(1);
    for (int i = 0; i < count; i++) {
      byte[] v = new byte[VALUE];
      random.nextBytes(v);
      ByteBuffer.wrap(v).putInt(i);
      assertThat(records.get(i).value()).as("record %d", i).isEqualTo(v);
    }
  }

  @Test
  void durableBytesBehindTheCachedTailAreDroppedAndStayReadable() {
    assumeTrue(PageCache.available(), "drop-behind needs Linux and native access");
    int count = 800; // 50 MiB in one 64 MiB segment
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(64 << 20).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      send(log, count);
      PartitionLog p = log.partition(TP);
      long tail = p.active().size();
      long dropped = p.droppedBytes();
      assertThat(dropped)
          .as("everything but the cached tail, in whole chunks")
          .isGreaterThanOrEqualTo(
              tail - PartitionLog.CACHED_TAIL_BYTES - PartitionLog.DROP_CHUNK_BYTES)
          .isLessThanOrEqualTo(tail - PartitionLog.CACHED_TAIL_BYTES)
          .isPositive();
      checkAll(log, count);
    }
    try (EmbeddedEventLog reopened =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(64 << 20).build())) {
      checkAll(reopened, count);
    }
  }

  @Test
  void rolledSegmentsAreDroppedExceptTheNewestWhileTheTailIsSmall() {
    assumeTrue(PageCache.available(), "drop-behind needs Linux and native access");
    int count = 400; // 25 MiB over 4 MiB segments, each smaller than the cached tail
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(4 << 20).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      send(log, count);
      PartitionLog p = log.partition(TP);
      List<Segment> segments = p.segmentsForTest();
      assertThat(segments.size()).isGreaterThan(3);
      long older = 0;
      for (Segment s : segments.subList(0, segments.size() - 2)) {
        older += s.size();
      }
      assertThat(p.droppedBytes())
          .as(
              "every rolled segment but the newest; nothing of the tail (smaller than the cached tail)")
          .isEqualTo(older);
      checkAll(log, count);
    }
  }
}
