package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulwark.events.CorruptLogException;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EmbeddedLogConfig.CorruptionPolicy;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preallocated segments: the active segment is reserved ahead of its writes (the file is longer
 * than its batches, the rest zeros), cut back at a roll and a clean close, and an open after an
 * unclean end tells the zero tail from a torn batch and from damage.
 */
class PreallocationTest {
  private static final long SEGMENT = 256 << 10;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path crashed;

  private final TopicPartition tp = new TopicPartition("t", 0);

  @BeforeEach
  void linuxWithNativeAccess() {
    assumeTrue(Preallocation.available(), "fallocate needs Linux and native access");
  }

  private static EmbeddedEventLog open(Path root, EventLogListener listener) {
    return EmbeddedEventLog.open(
        EmbeddedLogConfig.builder(root)
            .segmentBytes(SEGMENT)
            .corruptionPolicy(CorruptionPolicy.FAIL)
            .listener(listener)
            .build());
  }

  /** Sums the on-disk length of every segment file of the partition under {@code root}. */
  private static long fileBytes(Path root) throws Exception {
    long total = 0;
    for (Path p : LogFixture.segments(root, "t", 0)) {
      total += Files.size(p);
    }
    return total;
  }

  /** The partition's files as a power loss would leave them: what the log wrote, copied now. */
  private void crashCopy() throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        Path to = crashed.resolve(dir.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!p.getFileName().toString().endsWith(".lock")) {
          Files.copy(p, to);
        }
      }
    }
  }

  private static String value(int i) {
    return "value-" + i + "-" + "x".repeat(2000);
  }

  /** Sends records {@code from} (inclusive) to {@code to} and waits for every acknowledgement. */
  private static void sendAll(EmbeddedEventLog log, int from, int to) {
    try (Producer p = log.producer(ProducerConfig.defaults())) {
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      for (int i = from; i < to; i++) {
        acks.add(p.send(OutgoingRecord.of("t", "k", value(i), Serdes.string())));
      }
      acks.forEach(CompletableFuture::join);
    }
  }

  private static void assertValues(List<EventRecord> records, int count) {
    assertThat(records).hasSize(count);
    for (int i = 0; i < count; i++) {
      assertThat(records.get(i).offset()).isEqualTo(i);
      assertThat(records.get(i).value(Serdes.string())).isEqualTo(value(i));
    }
  }

  /** The byte position of every batch in {@code bytes}, up to {@code end}. */
  private static List<Integer> batchStarts(byte[] bytes, long end) {
    List<Integer> starts = new ArrayList<>();
    int pos = 0;
    while (pos < end) {
      starts.add(pos);
      pos += BatchCodec.readHeader(ByteBuffer.wrap(bytes).position(pos)).totalSize();
    }
    return starts;
  }

  /** Counts what recovery reports: cuts and corruption. */
  private static final class Reports implements EventLogListener {
    final AtomicLong truncated = new AtomicLong();
    final AtomicLong corrupt = new AtomicLong();

    @Override
    public void onRecoveryTruncated(TopicPartition partition, String file, long bytes) {
      truncated.addAndGet(bytes);
    }

    @Override
    public void onCorruption(TopicPartition partition, String file, long position) {
      corrupt.incrementAndGet();
    }
  }

  @Test
  void theActiveSegmentIsReservedAheadAndCutToItsBatchesAtARollAndAtClose() throws Exception {
    long dataBytes;
    try (EmbeddedEventLog log = open(dir, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      sendAll(log, 0, 10);
      PartitionLog p = log.partition(tp);
      assertThat(p.sizeBytes()).isPositive().isLessThan(SEGMENT / 4);
      assertThat(p.diskBytes()).as("reserved up to the segment size").isEqualTo(SEGMENT);
      assertThat(fileBytes(dir)).isEqualTo(SEGMENT);
      assertValues(LogFixture.readAll(log, tp), 10); // readers stop at the batches' end
      // large records until it rolls: the rolled segment holds exactly its batches
      int sent = 10;
      while (LogFixture.segments(dir, "t", 0).size() < 2) {
        sendAll(log, sent, sent + 20);
        sent += 20;
      }
      List<Path> segs = LogFixture.segments(dir, "t", 0);
      assertThat(Files.size(segs.get(0))).isLessThanOrEqualTo(SEGMENT).isPositive();
      assertThat(p.diskBytes() - Files.size(segs.get(0)))
          .as("only the active segment keeps a reserve")
          .isGreaterThan(p.sizeBytes() - Files.size(segs.get(0)));
      assertValues(LogFixture.readAll(log, tp), sent);
      dataBytes = p.sizeBytes();
    }
    assertThat(fileBytes(dir)).as("clean close cuts the reserve").isEqualTo(dataBytes);
    try (EmbeddedEventLog log = open(dir, EventLogListener.NONE)) {
      assertThat(log.partition(tp).scannedAtOpen())
          .as("indexes still vouch for the files")
          .isZero();
      long before = fileBytes(dir);
      int n = (int) log.partition(tp).durableEnd();
      sendAll(log, n, n + 1);
      assertThat(log.partition(tp).diskBytes()).isGreaterThan(before); // reserved again
    }
  }

  @Test
  void anUncleanOpenCutsTheZeroTailSilentlyAndTheLogGoesOn() throws Exception {
    long batchBytes;
    try (EmbeddedEventLog log = open(dir, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      sendAll(log, 0, 25); // every one acknowledged, so fsynced
      batchBytes = log.partition(tp).sizeBytes();
      crashCopy(); // the process dies here: no trim, no index
      assertThat(fileBytes(crashed)).isEqualTo(SEGMENT);
    }
    Reports reports = new Reports();
    try (EmbeddedEventLog log = open(crashed, reports)) {
      assertValues(LogFixture.readAll(log, tp), 25);
      assertThat(reports.truncated.get()).as("zeros are no torn batch").isZero();
      assertThat(reports.corrupt.get()).isZero();
      assertThat(fileBytes(crashed)).isEqualTo(batchBytes);
      sendAll(log, 25, 30);
      assertValues(LogFixture.readAll(log, tp), 30);
    }
    try (EmbeddedEventLog log = open(crashed, reports)) {
      assertValues(LogFixture.readAll(log, tp), 30);
      assertThat(reports.truncated.get()).isZero();
    }
  }

  @Test
  void aTornBatchInsideTheReserveIsCutAndReportedAndNoAcknowledgedRecordIsLost() throws Exception {
    long end;
    try (EmbeddedEventLog log = open(dir, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      sendAll(log, 0, 12);
      end = log.partition(tp).sizeBytes();
      crashCopy();
    }
    Path segment = LogFixture.segments(crashed, "t", 0).get(0);
    ByteBuffer batch =
        BatchCodec.encode(
            List.of(
                new BatchCodec.Entry(
                    1, null, "torn".repeat(40).getBytes(StandardCharsets.UTF_8), Headers.empty())),
            0,
            1,
            12,
            -1,
            -1);
    int keep = batch.remaining() / 2; // half a batch written into the reserved zeros
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(batch.limit(keep), end);
    }
    assertThat(Files.size(segment)).isEqualTo(SEGMENT);
    Reports reports = new Reports();
    try (EmbeddedEventLog log = open(crashed, reports)) {
      assertValues(LogFixture.readAll(log, tp), 12);
      assertThat(reports.truncated.get()).as("a torn batch is reported").isEqualTo(SEGMENT - end);
      assertThat(reports.corrupt.get()).isZero();
      assertThat(Files.size(segment)).isEqualTo(end);
      sendAll(log, 12, 13);
      assertValues(LogFixture.readAll(log, tp), 13);
    }
  }

  @Test
  void damageBeforeTheZeroTailIsStillCorruptionNotAnEnd() throws Exception {
    long end;
    try (EmbeddedEventLog log = open(dir, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      for (int i = 0; i < 20; i += 5) {
        sendAll(log, i, i + 5); // a batch (or more) each
      }
      end = log.partition(tp).sizeBytes();
      crashCopy();
    }
    // zero a batch in the middle: zeros, then valid batches, then the reserved zeros
    Path segment = LogFixture.segments(crashed, "t", 0).get(0);
    byte[] bytes = Files.readAllBytes(segment);
    List<Integer> starts = batchStarts(bytes, end);
    assertThat(starts.size()).isGreaterThan(2);
    int middle = starts.get(starts.size() / 2);
    for (int i = middle; i < starts.get(starts.size() / 2 + 1); i++) {
      bytes[i] = 0;
    }
    Files.write(segment, bytes);
    Reports reports = new Reports();
    assertThatThrownBy(() -> open(crashed, reports))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining(segment.getFileName().toString())
        .hasMessageContaining("at byte " + middle);
    assertThat(reports.corrupt.get()).isEqualTo(1);
    assertThat(Files.size(segment)).as("FAIL leaves the files as found").isEqualTo(SEGMENT);
  }

  @Test
  void aRolledSegmentIsCutBeforeTheNextExistsSoACrashAfterARollKeepsEverything() throws Exception {
    int sent = 0;
    try (EmbeddedEventLog log = open(dir, EventLogListener.NONE)) {
      log.createTopic(TopicSpec.of("t", 1));
      while (LogFixture.segments(dir, "t", 0).size() < 3) {
        sendAll(log, sent, sent + 40);
        sent += 40;
      }
      crashCopy();
    }
    List<Path> segs = LogFixture.segments(crashed, "t", 0);
    assertThat(Files.size(segs.get(segs.size() - 1)))
        .as("the active one: reserved")
        .isEqualTo(SEGMENT);
    for (Path rolled : segs.subList(0, segs.size() - 1)) {
      assertThat(Files.size(rolled)).isLessThanOrEqualTo(SEGMENT);
    }
    Reports reports = new Reports();
    try (EmbeddedEventLog log = open(crashed, reports)) {
      assertValues(LogFixture.readAll(log, tp), sent);
      assertThat(reports.truncated.get()).isZero();
      assertThat(reports.corrupt.get()).isZero();
      assertThat(fileBytes(crashed)).isEqualTo(log.partition(tp).sizeBytes());
    }
  }
}
