package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.EventLogException;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlapped group commit: the writer writes (and another lane fsyncs) group B while group A's
 * fsync is still running. B's fsync, which began after A was written, covers A when it is of the
 * same file: both are acknowledged as soon as it returns, in order, without waiting for A's own
 * fsync; a fsync of another partition's file covers nothing. A failed fsync fails its group and
 * every later group of the partition it did not make durable, and cuts the file back; a failed
 * fsync of a group already made durable by a later one keeps it acknowledged and stops the
 * partition. The fsyncs are held and failed through the writer's fsync hook, so the order of events
 * is forced, not timed: every "not done" is checked after a marker that must come first.
 */
@Timeout(120) // a hang guard: a lost hand-off would otherwise block forever
class OverlappedSyncTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private static final TopicPartition TP = new TopicPartition("t", 0);

  private static OutgoingRecord record(int partition, int i) {
    byte[] v = new byte[1024];
    v[0] = (byte) i;
    return OutgoingRecord.builder("t").partition(partition).value(v).build();
  }

  private static long fileBytes(Path root) throws Exception {
    long total = 0;
    for (Path p : LogFixture.segments(root, "t", 0)) {
      total += Files.size(p);
    }
    return total;
  }

  /** Creates topic {@code t} and installs {@code hook} on the log's writer. */
  private static HeldFsyncs hooked(EmbeddedEventLog log, int partitions, HeldFsyncs hook) {
    log.createTopic(TopicSpec.of("t", partitions));
    log.writer().hookForces(hook);
    return hook;
  }

  private static EmbeddedEventLog open(Path dir) {
    return EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1 << 20).build());
  }

  @Test
  void aLaterFsyncOfTheSameFileAcknowledgesTheGroupWhoseFsyncIsStillRunning() throws Exception {
    List<String> acks = new CopyOnWriteArrayList<>();
    try (EmbeddedEventLog log = open(dir);
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, 1, new HeldFsyncs(false))) {
      CompletableFuture<RecordMetadata> a = producer.send(record(0, 0));
      var unusedA = a.thenRun(() -> acks.add("A"));
      hook.entered[0].await(); // A is written and its fsync is running (held)
      long afterA = log.partition(TP).sizeBytes();
      CompletableFuture<RecordMetadata> b = producer.send(record(0, 1));
      var unusedB = b.thenRun(() -> acks.add("B"));
      assertThat(b.get(30, TimeUnit.SECONDS).offset())
          .as("B's own fsync returned and covers A: both acknowledged, A's fsync still held")
          .isEqualTo(1);
      assertThat(a).isCompleted();
      assertThat(a.get().offset()).isZero();
      assertThat(acks).containsExactly("A", "B");
      assertThat(log.partition(TP).sizeBytes())
          .as("B was written during A's fsync (batches; the file is preallocated)")
          .isGreaterThan(afterA);
      assertThat(log.partition(TP).durableEnd()).isEqualTo(2);
      assertThat(hook.events)
          .as("A's fsync has not returned")
          .containsExactly(
              "fsync 0 entered, t-0 end 1", "fsync 1 entered, t-0 end 2", "fsync 1 returned");
      assertThat(log.writer().coveredAcks()).isEqualTo(1);
      hook.release[0].countDown();
      hook.returned[0].await();
      CompletableFuture<RecordMetadata> c = producer.send(record(0, 2));
      assertThat(c.get().offset()).as("A's fsync succeeded: the partition goes on").isEqualTo(2);
    }
    try (EmbeddedEventLog reopened = open(dir)) {
      assertThat(LogFixture.readAll(reopened, TP)).hasSize(3);
    }
  }

  @Test
  void laterGroupsUseTheFreeLaneWhileOneLanesFsyncIsHeld() throws Exception {
    try (EmbeddedEventLog log = open(dir);
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, 1, new HeldFsyncs(false))) {
      CompletableFuture<RecordMetadata> a = producer.send(record(0, 0));
      hook.entered[0].await(); // A's fsync is held: its lane stays busy
      for (int i = 1; i <= 4; i++) {
        assertThat(producer.send(record(0, i)).get(30, TimeUnit.SECONDS).offset())
            .as("group %d is fsynced on a free lane, not queued behind A's lane", i)
            .isEqualTo(i);
      }
      assertThat(a.get(0, TimeUnit.SECONDS).offset()).as("covered by B's fsync").isZero();
      assertThat(hook.events).as("A's fsync is still held").doesNotContain("fsync 0 returned");
      assertThat(hook.lanes).hasSize(5);
      assertThat(hook.lanes.subList(1, 5)).doesNotContain(hook.lanes.get(0));
      assertThat(log.partition(TP).durableEnd()).isEqualTo(5);
      assertThat(log.writer().coveredAcks()).isEqualTo(1);
      hook.release[0].countDown();
      hook.returned[0].await();
      assertThat(producer.send(record(0, 5)).get().offset()).isEqualTo(5);
    }
    try (EmbeddedEventLog reopened = open(dir)) {
      assertThat(LogFixture.readAll(reopened, TP))
          .extracting(r -> java.util.Objects.requireNonNull(r.value())[0])
          .containsExactly((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5);
    }
  }

  @Test
  void aFsyncOfAnotherPartitionCoversNothingSoAcknowledgementsKeepWriteOrder() throws Exception {
    try (EmbeddedEventLog log = open(dir);
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, 2, new HeldFsyncs(false))) {
      CompletableFuture<RecordMetadata> a = producer.send(record(0, 0));
      hook.entered[0].await();
      CompletableFuture<RecordMetadata> b = producer.send(record(1, 1));
      hook.returned[1].await(); // marker: B (partition 1) was written and its fsync returned
      assertThat(a).as("A: its fsync has not returned").isNotDone();
      assertThat(b).as("B: synced, but A before it is not acknowledged yet").isNotDone();
      assertThat(log.partition(TP).durableEnd()).as("nothing visible").isZero();
      hook.release[0].countDown();
      assertThat(a.get().offset()).isZero();
      assertThat(b.get().offset()).isZero();
      assertThat(log.writer().coveredAcks()).isZero();
    }
  }

  @Test
  void aFsyncOfTheNextSegmentCoversNothingOfTheSegmentBeforeIt() throws Exception {
    // segments of 1,500 bytes: A (one 1 KiB record) fills the first, B rolls to a new one
    try (EmbeddedEventLog log =
            EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1500).build());
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, 1, new HeldFsyncs(false))) {
      CompletableFuture<RecordMetadata> a = producer.send(record(0, 0));
      hook.entered[0].await();
      CompletableFuture<RecordMetadata> b = producer.send(record(0, 1));
      hook.returned[1].await(); // marker: B was written to the new segment and fsynced it
      assertThat(LogFixture.segments(dir, "t", 0)).hasSize(2);
      assertThat(a).as("A: its segment's fsync through its lane has not returned").isNotDone();
      assertThat(b).as("B: synced, but A before it is not acknowledged yet").isNotDone();
      hook.releaseAll();
      assertThat(a.get().offset()).isZero();
      assertThat(b.get().offset()).isEqualTo(1);
      assertThat(log.writer().coveredAcks()).isZero();
    }
  }

  @Test
  void aFailedFsyncFailsTheLaterGroupItsFileHeldThoughItsOwnFsyncSucceeds() throws Exception {
    try (EmbeddedEventLog log = open(dir);
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, 1, new HeldFsyncs(true, false))) {
      // A fails; B is held until A has failed

      CompletableFuture<RecordMetadata> a = producer.send(record(0, 0));
      hook.entered[0].await();
      CompletableFuture<RecordMetadata> b = producer.send(record(0, 1));
      hook.entered[1].await(); // B is written, its fsync is about to start
      hook.release[0].countDown(); // A's fsync now fails
      assertThatThrownBy(a::get)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(EventLogException.class)
          .hasMessageContaining("nothing acknowledged")
          .hasMessageContaining("simulated fsync failure");
      hook.release[1].countDown(); // B's own fsync succeeds
      assertThatThrownBy(b::get)
          .as("written after a failed fsync: never acknowledged")
          .hasCauseInstanceOf(EventLogException.class)
          .hasMessageContaining("failed earlier");
      assertThat(hook.events).contains("fsync 1 returned");
      assertThat(log.partition(TP).durableEnd()).isZero();
      assertThat(fileBytes(dir)).as("cut back to where A began, B included").isZero();
      assertThatThrownBy(() -> producer.send(record(0, 2)).get())
          .as("the partition refuses appends until reopened")
          .hasMessageContaining("failed earlier");
      assertThat(log.writer().coveredAcks()).isZero();
    }
    try (EmbeddedEventLog reopened = open(dir)) {
      assertThat(LogFixture.readAll(reopened, TP)).isEmpty();
      LogFixture.sendAll(reopened, "t", 0, 2); // recovered: writable again
      assertThat(reopened.partition(TP).durableEnd()).isEqualTo(2);
    }
  }

  @Test
  void aCoveredGroupWhoseOwnFsyncFailsLaterStaysAcknowledgedAndThePartitionStops()
      throws Exception {
    try (EmbeddedEventLog log = open(dir);
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, 1, new HeldFsyncs(true))) {
      // A's fsync fails, after B's fsync covered it

      CompletableFuture<RecordMetadata> a = producer.send(record(0, 0));
      hook.entered[0].await();
      CompletableFuture<RecordMetadata> b = producer.send(record(0, 1));
      assertThat(b.get(30, TimeUnit.SECONDS).offset()).isEqualTo(1);
      assertThat(a.get().offset()).as("durable through B's fsync").isZero();
      hook.release[0].countDown(); // A's own fsync now fails
      log.writer().control(() -> {}); // marker: runs once every lane is idle, A's failure seen
      assertThat(hook.events).contains("fsync 0 failed");
      assertThatThrownBy(() -> producer.send(record(0, 2)).get())
          .as("A's descriptor consumed an error: the partition stops until reopened")
          .hasCauseInstanceOf(EventLogException.class)
          .hasMessageContaining("failed earlier")
          .hasMessageContaining("after a later fsync had made its records durable");
      assertThat(log.partition(TP).durableEnd()).as("acknowledged records stay").isEqualTo(2);
    }
    try (EmbeddedEventLog reopened = open(dir)) {
      assertThat(LogFixture.readAll(reopened, TP))
          .extracting(r -> java.util.Objects.requireNonNull(r.value())[0])
          .containsExactly((byte) 0, (byte) 1);
    }
  }
}
