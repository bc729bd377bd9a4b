package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.CorruptLogException;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import io.bulwark.test.VirtualClock;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction journal: what a commit costs in fsyncs, group commit under concurrency, torn and
 * damaged journal files, and replay that never moves offsets back. Time is virtual, so journal
 * checkpoints happen only by entry count and at close.
 */
class TransactionJournalTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private final VirtualClock clock = new VirtualClock();

  private EmbeddedEventLog open() {
    return EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).clock(clock).build());
  }

  private static void commit(Producer p, String topic, int records, int partitions) {
    p.beginTransaction();
    for (int i = 0; i < records; i++) {
      var unused =
          p.send(
              OutgoingRecord.builder(topic)
                  .value(("v" + i).getBytes(StandardCharsets.UTF_8))
                  .partition(i % partitions)
                  .build());
    }
    p.commitTransaction();
  }

  @Test
  void aTransactionCostsOneJournalFsyncPlusOnePerPartitionAndCheckpointsAreAmortised() {
    int n = TxnJournal.CHECKPOINT_ENTRIES - 2; // no checkpoint due within the measured commits
    try (EmbeddedEventLog log = open()) {
      log.createTopic(TopicSpec.of("t", 2));
      try (Producer p = log.producer(ProducerConfig.builder().transactionalId("x").build())) {
        commit(p, "t", 10, 1); // creates the journal file (and fsyncs its directory entry)
        long before = EmbeddedEventLog.fsyncCount();
        for (int i = 0; i < n; i++) {
          commit(p, "t", 10, 1);
        }
        assertThat(EmbeddedEventLog.fsyncCount() - before)
            .as("journal entry + the partition's batch, per transaction")
            .isEqualTo(2L * n);
        before = EmbeddedEventLog.fsyncCount();
        commit(p, "t", 10, 2); // the 64th entry: its commit runs the checkpoint
        assertThat(EmbeddedEventLog.fsyncCount() - before)
            .as("journal entry + two partitions + journal truncation")
            .isEqualTo(4);
        before = EmbeddedEventLog.fsyncCount();
        commit(p, "t", 10, 2);
        assertThat(EmbeddedEventLog.fsyncCount() - before).isEqualTo(3);
      }
      assertThat(
              LogFixture.readAll(log, new TopicPartition("t", 0)).size()
                  + LogFixture.readAll(log, new TopicPartition("t", 1)).size())
          .isEqualTo((n + 3) * 10);
    }
  }

  @Test
  void offsetsInATransactionAreWrittenAtTheCheckpointNotPerCommit() throws Exception {
    TopicPartition in = new TopicPartition("in", 0);
    try (EmbeddedEventLog log = open()) {
      log.createTopic(TopicSpec.of("in", 1));
      log.createTopic(TopicSpec.of("out", 1));
      LogFixture.sendAll(log, "in", 0, 100); // the consumed input the offsets point into
      try (Producer p = log.producer(ProducerConfig.builder().transactionalId("x").build())) {
        commit(p, "out", 1, 1);
        long before = EmbeddedEventLog.fsyncCount();
        for (int i = 1; i < TxnJournal.CHECKPOINT_ENTRIES - 1; i++) {
          p.beginTransaction();
          var unused = p.send(OutgoingRecord.of("out", "k", "o" + i, Serdes.string()));
          p.sendOffsetsToTransaction(Map.of(in, (long) i), "g");
          p.commitTransaction();
          assertThat(log.offsets().committed("g", in)).hasValue(i);
        }
        assertThat(EmbeddedEventLog.fsyncCount() - before)
            .isEqualTo(2L * (TxnJournal.CHECKPOINT_ENTRIES - 2));
        assertThat(Files.exists(dir.resolve("groups").resolve("g.offsets"))).isFalse();
        before = EmbeddedEventLog.fsyncCount();
        p.beginTransaction();
        var unused = p.send(OutgoingRecord.of("out", "k", "last", Serdes.string()));
        p.sendOffsetsToTransaction(Map.of(in, 99L), "g");
        p.commitTransaction(); // the checkpoint: offsets file (file + directory) + truncation
        assertThat(EmbeddedEventLog.fsyncCount() - before).isEqualTo(2 + 3);
        assertThat(Files.readString(dir.resolve("groups").resolve("g.offsets"))).contains("\t99\n");
        assertThat(Files.size(dir.resolve("txn").resolve("journal"))).isZero();
      }
    }
    try (EmbeddedEventLog log = open()) {
      assertThat(log.offsets().committed("g", in)).hasValue(99);
      assertThat(LogFixture.readAll(log, new TopicPartition("out", 0)))
          .hasSize(TxnJournal.CHECKPOINT_ENTRIES);
    }
  }

  /** Leaves {@code log} open as a crashed process would (nothing closed, nothing checkpointed). */
  private static void crash(EmbeddedEventLog log, List<EmbeddedEventLog> abandoned) {
    abandoned.add(log);
  }

  @Test
  void aCrashBeforeTheCheckpointReplaysOffsetsAndRecordsOnce() {
    TopicPartition in = new TopicPartition("in", 0);
    List<EmbeddedEventLog> abandoned = new ArrayList<>();
    try {
      EmbeddedEventLog first = open();
      first.createTopic(TopicSpec.of("in", 1));
      first.createTopic(TopicSpec.of("out", 2));
      LogFixture.sendAll(first, "in", 0, 10);
      Producer p = first.producer(ProducerConfig.builder().transactionalId("x").build());
      for (int i = 1; i <= 5; i++) {
        p.beginTransaction();
        var unused = p.send(OutgoingRecord.of("out", "k" + i, "o" + i, Serdes.string()));
        p.sendOffsetsToTransaction(Map.of(in, (long) i), "g");
        p.commitTransaction();
      }
      crash(first, abandoned);
      for (int reopen = 0; reopen < 2; reopen++) {
        try (EmbeddedEventLog log = open()) {
          assertThat(log.offsets().committed("g", in)).hasValue(5);
          List<String> values = new ArrayList<>();
          for (int part = 0; part < 2; part++) {
            for (EventRecord r : LogFixture.readAll(log, new TopicPartition("out", part))) {
              values.add(r.value(Serdes.string()));
            }
          }
          assertThat(values).containsExactlyInAnyOrder("o1", "o2", "o3", "o4", "o5");
        }
      }
    } finally {
      abandoned.forEach(EmbeddedEventLog::close);
    }
  }

  @Test
  void replayNeverMovesOffsetsBackBehindALaterCommit() {
    TopicPartition in = new TopicPartition("in", 0);
    List<EmbeddedEventLog> abandoned = new ArrayList<>();
    try {
      EmbeddedEventLog first = open();
      first.createTopic(TopicSpec.of("in", 1));
      first.createTopic(TopicSpec.of("out", 1));
      LogFixture.sendAll(first, "in", 0, 20);
      Producer p = first.producer(ProducerConfig.builder().transactionalId("x").build());
      p.beginTransaction();
      var unused = p.send(OutgoingRecord.of("out", "k", "o", Serdes.string()));
      p.sendOffsetsToTransaction(Map.of(in, 5L), "g");
      p.commitTransaction(); // in the journal only, not checkpointed
      Consumer c = first.consumer(ConsumerConfig.builder("g").build());
      c.subscribe(List.of("in"));
      var polled = c.poll(Duration.ofSeconds(5));
      assertThat(polled).isNotEmpty();
      c.commitSync(Map.of(in, 12L)); // a later, non-transactional commit of the same partition
      crash(first, abandoned);
      try (EmbeddedEventLog log = open()) {
        assertThat(log.offsets().committed("g", in)).hasValue(12);
        assertThat(LogFixture.readAll(log, new TopicPartition("out", 0))).hasSize(1);
      }
    } finally {
      abandoned.forEach(EmbeddedEventLog::close);
    }
  }

  @Test
  void concurrentTransactionsAllLandOnceAndShareTheJournal() throws Exception {
    int producers = 4;
    int txns = 40;
    long before;
    try (EmbeddedEventLog log = open()) {
      log.createTopic(TopicSpec.of("t", 2));
      before = EmbeddedEventLog.fsyncCount();
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < producers; w++) {
          String id = "w" + w;
          done.add(
              pool.submit(
                  () -> {
                    try (Producer p =
                        log.producer(ProducerConfig.builder().transactionalId(id).build())) {
                      for (int t = 0; t < txns; t++) {
                        p.beginTransaction();
                        for (int i = 0; i < 5; i++) {
                          var unused =
                              p.send(
                                  OutgoingRecord.builder("t")
                                      .value(
                                          (id + "-" + t + "-" + i).getBytes(StandardCharsets.UTF_8))
                                      .partition(i % 2)
                                      .build());
                        }
                        p.commitTransaction();
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      }
      long fsyncs = EmbeddedEventLog.fsyncCount() - before;
      // at most: the journal file's creation, per commit one journal + two partition fsyncs, and a
      // checkpoint (one truncation) per 64 entries; group commit can only lower it
      assertThat(fsyncs).isLessThanOrEqualTo(1 + 3L * producers * txns + producers * txns / 64 + 1);
      // sustained concurrent commits still let checkpoints through: the journal stays bounded
      assertThat(log.journal().entryCount()).isLessThan(TxnJournal.CHECKPOINT_ENTRIES);
    }
    try (EmbeddedEventLog log = open()) {
      List<String> values = new ArrayList<>();
      for (int part = 0; part < 2; part++) {
        for (EventRecord r : LogFixture.readAll(log, new TopicPartition("t", part))) {
          values.add(r.value(Serdes.string()));
        }
      }
      assertThat(values).hasSize(producers * txns * 5).doesNotHaveDuplicates();
    }
  }

  private TxnJournal.Entry entry(String txnId, long pid, int records) {
    List<TxnJournal.Output> outputs = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      outputs.add(
          new TxnJournal.Output(
              new TopicPartition("out", 0),
              i,
              new BatchCodec.Entry(
                  1, null, (txnId + i).getBytes(StandardCharsets.UTF_8), Headers.empty())));
    }
    return new TxnJournal.Entry(
        txnId, pid, outputs, Map.of("g-" + txnId, Map.of(new TopicPartition("out", 0), 1L)));
  }

  /** Two committed-but-unapplied entries in the journal, as a crash after their fsync leaves. */
  private Path journalWithTwoEntries() throws Exception {
    try (EmbeddedEventLog log = open()) {
      log.createTopic(TopicSpec.of("out", 1));
      log.journal().write(entry("a", 11, 2));
      log.journal().write(entry("b", 12, 3));
    }
    return dir.resolve("txn").resolve("journal");
  }

  @Test
  void aTornLastJournalEntryIsCutAndTheEntriesBeforeItReplayed() throws Exception {
    Path journal = journalWithTwoEntries();
    long whole = Files.size(journal);
    try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 7, 7, 7}), whole); // a torn third append
    }
    try (EmbeddedEventLog log = open()) {
      assertThat(LogFixture.readAll(log, new TopicPartition("out", 0)))
          .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
          .containsExactly("a0", "a1", "b0", "b1", "b2");
      assertThat(log.offsets().committed("g-b", new TopicPartition("out", 0))).hasValue(1);
    }
    assertThat(journal).doesNotExist();
  }

  @Test
  void aJournalEntryTornHalfWayIsCutLikeAnyTornAppend() throws Exception {
    Path journal = journalWithTwoEntries();
    long whole = Files.size(journal);
    try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
      ch.truncate(whole - 5); // the second entry's last bytes never reached the disk
    }
    try (EmbeddedEventLog log = open()) {
      assertThat(LogFixture.readAll(log, new TopicPartition("out", 0)))
          .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
          .containsExactly("a0", "a1");
      assertThat(log.offsets().committed("g-b", new TopicPartition("out", 0))).isEmpty();
    }
  }

  @Test
  void aDamagedJournalEntryFollowedByAValidOneIsCorruptionNotATornTail() throws Exception {
    Path journal = journalWithTwoEntries();
    byte[] bytes = Files.readAllBytes(journal);
    bytes[20] ^= 0x40; // inside the first entry
    Files.write(journal, bytes);
    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("not a torn tail");
    assertThat(Files.readAllBytes(journal)).as("left as found").isEqualTo(bytes);
  }

  @Test
  void theJournalIsEmptyAfterACleanClose() throws Exception {
    try (EmbeddedEventLog log = open()) {
      log.createTopic(TopicSpec.of("t", 1));
      try (Producer p = log.producer(ProducerConfig.builder().transactionalId("x").build())) {
        commit(p, "t", 3, 1);
        assertThat(Files.size(dir.resolve("txn").resolve("journal"))).isPositive();
      }
    }
    assertThat(Files.size(dir.resolve("txn").resolve("journal"))).isZero();
  }
}
