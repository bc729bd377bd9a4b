package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.CorruptLogException;
import io.bulwark.events.EmbeddedLogConfig.CorruptionPolicy;
import io.bulwark.events.EmbeddedLogConfig.Durability;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
              List.of(
                  new BatchCodec.Entry(
                      1,
                      null,
                      "torn".repeat(20).getBytes(StandardCharsets.UTF_8),
                      Headers.empty())),
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

  /** A single-segment partition of {@code records} records, one batch each; returns its file. */
  private Path oneSegmentOf(int records) throws Exception {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(
            LogFixture.config(dir).segmentBytes(1 << 20).durability(Durability.OS_CACHE).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      LogFixture.sendAll(log, "t", 0, records);
    }
    List<Path> segs = LogFixture.segments(dir, "t", 0);
    assertThat(segs).hasSize(1);
    return segs.get(0);
  }

  /** The start positions of the batches in {@code bytes}, plus the end. */
  private static List<Integer> batchStarts(byte[] bytes) {
    List<Integer> starts = new ArrayList<>();
    int p = 0;
    while (p < bytes.length) {
      starts.add(p);
      p += BatchCodec.readHeader(ByteBuffer.wrap(bytes).position(p)).totalSize();
    }
    starts.add(p);
    return starts;
  }

  @Test
  void aBitFlipAnywhereBeforeTheLastBatchOfTheLastSegmentIsCorruptionNotATornTail()
      throws Exception {
    Path segment = oneSegmentOf(120);
    byte[] pristine = Files.readAllBytes(segment);
    List<Integer> starts = batchStarts(pristine);
    int lastBatch = starts.get(starts.size() - 2);
    Random random = new Random(11);
    List<Integer> positions = new ArrayList<>();
    for (int p = 0; p < starts.get(3); p++) {
      positions.add(p); // every byte of the first three batches: length, CRC, header, records
    }
    for (int p = lastBatch - 3 * BatchCodec.HEADER_SIZE; p < lastBatch; p++) {
      positions.add(p); // every byte just before the last batch
    }
    for (int i = 0; i < 150; i++) {
      positions.add(random.nextInt(lastBatch));
    }
    for (int p : positions) {
      byte[] corrupted = pristine.clone();
      corrupted[p] ^= (byte) (1 << random.nextInt(8));
      Files.write(segment, corrupted);
      int batchStart = starts.get(firstAbove(starts, p) - 1);
      AtomicLong truncated = new AtomicLong();
      EventLogListener counting =
          new EventLogListener() {
            @Override
            public void onRecoveryTruncated(TopicPartition partition, String file, long bytes) {
              truncated.addAndGet(bytes);
            }
          };
      assertThatThrownBy(() -> open(CorruptionPolicy.FAIL, counting).close())
          .as("bit flip at byte %d", p)
          .isInstanceOf(CorruptLogException.class)
          .hasMessageContaining(segment.getFileName().toString())
          .hasMessageContaining("at byte " + batchStart);
      assertThat(truncated.get()).as("bytes cut at FAIL, flip at %d", p).isZero();
      assertThat(Files.readAllBytes(segment)).as("file left as found").isEqualTo(corrupted);
    }
  }

  @Test
  void corruptionMidLastSegmentIsCutExplicitlyUnderTruncateAndReported() throws Exception {
    Path segment = oneSegmentOf(100);
    List<Integer> starts = batchStarts(Files.readAllBytes(segment));
    int badBatch = starts.get(50);
    flipByte(segment, badBatch + BatchCodec.HEADER_SIZE + 3);
    List<Long> corruptAt = new ArrayList<>();
    AtomicLong truncated = new AtomicLong();
    EventLogListener listener =
        new EventLogListener() {
          @Override
          public void onRecoveryTruncated(TopicPartition partition, String file, long bytes) {
            truncated.addAndGet(bytes);
          }

          @Override
          public void onCorruption(TopicPartition partition, String file, long position) {
            corruptAt.add(position);
          }
        };
    try (EmbeddedEventLog log = open(CorruptionPolicy.TRUNCATE, listener)) {
      assertThat(LogFixture.readAll(log, tp)).hasSize(50);
      assertThat(corruptAt).containsExactly((long) badBatch);
      assertThat(truncated.get()).isEqualTo(starts.get(starts.size() - 1) - badBatch);
    }
  }

  @Test
  void aTornLastBatchCutAtEveryByteIsTruncatedAndNothingAcknowledgedBeforeItIsLost()
      throws Exception {
    Path segment = oneSegmentOf(20);
    byte[] pristine = Files.readAllBytes(segment);
    List<Integer> starts = batchStarts(pristine);
    int lastBatch = starts.get(starts.size() - 2);
    for (int keep = lastBatch; keep < pristine.length; keep++) {
      Files.write(segment, Arrays.copyOf(pristine, keep));
      try (EmbeddedEventLog log = open(CorruptionPolicy.FAIL, EventLogListener.NONE)) {
        List<EventRecord> all = LogFixture.readAll(log, tp);
        assertThat(all).as("torn at byte %d", keep).hasSize(19);
        assertThat(all.get(18).value(Serdes.string())).isEqualTo("value-18");
      }
      assertThat(Files.size(segment)).isEqualTo(lastBatch);
    }
  }

  @Test
  void aMissingSegmentIsCorruptionAndTheIntactSegmentsAfterItAreKept() throws Exception {
    try (EmbeddedEventLog log = open(CorruptionPolicy.FAIL, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      LogFixture.sendAll(log, "t", 0, 60);
    }
    List<Path> segs = LogFixture.segments(dir, "t", 0);
    assertThat(segs.size()).isGreaterThan(2);
    Path missing = segs.get(segs.size() - 2);
    Path last = segs.get(segs.size() - 1);
    byte[] lastBytes = Files.readAllBytes(last);
    Files.delete(missing);
    assertThatThrownBy(() -> open(CorruptionPolicy.FAIL, EventLogListener.NONE))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(last.getFileName().toString())
        .hasMessageContaining("previous ended at");
    assertThat(Files.readAllBytes(last)).isEqualTo(lastBytes);
  }

  @Test
  void aGroupCommittedPastACutResumesAtTheNewEndAndGetsEveryNewRecord() throws Exception {
    try (EmbeddedEventLog log = open(CorruptionPolicy.FAIL, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      LogFixture.sendAll(log, "t", 0, 60);
      try (Consumer c = log.consumer(ConsumerConfig.builder("g").build())) {
        c.subscribe(List.of("t"));
        assertThat(pollUntil(c, 60)).hasSize(60);
        c.commitSync();
      }
    }
    List<Path> segs = LogFixture.segments(dir, "t", 0);
    flipByte(segs.get(1), 20); // inside the second segment's first batch: the cut leaves its base
    List<String> clamped = new ArrayList<>();
    EventLogListener listener =
        new EventLogListener() {
          @Override
          public void onCommittedOffsetClamped(
              String groupId, TopicPartition partition, long committed, long logEnd) {
            clamped.add(groupId + " " + partition + " " + committed + "->" + logEnd);
          }
        };
    try (EmbeddedEventLog log = open(CorruptionPolicy.TRUNCATE, listener)) {
      long end = log.bounds(tp)[1];
      assertThat(end).isBetween(1L, 59L);
      assertThat(clamped).containsExactly("g t-0 60->" + end);
      LogFixture.sendAll(log, "t", 1000, 1010);
      try (Consumer c = log.consumer(ConsumerConfig.builder("g").build())) {
        c.subscribe(List.of("t"));
        assertThat(c.committed(tp)).hasValue(end);
        assertThat(pollUntil(c, 10))
            .extracting(r -> r.value(Serdes.string()))
            .containsExactlyElementsOf(
                java.util.stream.IntStream.range(1000, 1010).mapToObj(i -> "value-" + i).toList());
      }
    }
    try (EmbeddedEventLog _ = open(CorruptionPolicy.TRUNCATE, listener)) {
      assertThat(clamped).as("clamped once, persisted").hasSize(1);
    }
  }

  private static List<EventRecord> pollUntil(Consumer c, int count) {
    List<EventRecord> out = new ArrayList<>();
    for (int i = 0; i < 50 && out.size() < count; i++) {
      out.addAll(c.poll(Duration.ofMillis(100)));
    }
    return out;
  }

  private static int firstAbove(List<Integer> sorted, int value) {
    int i = 0;
    while (sorted.get(i) <= value) {
      i++;
    }
    return i;
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
