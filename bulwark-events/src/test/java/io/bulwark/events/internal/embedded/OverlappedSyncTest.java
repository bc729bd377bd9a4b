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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlapped group commit: the writer writes (and a second lane fsyncs) group B while group A's
 * fsync is still running, yet B is acknowledged only after A's fsync returned and A was
 * acknowledged; if A's fsync fails, B fails too although its own fsync succeeded, and the file is
 * cut back to where A began. The fsyncs are held and failed through the writer's fsync hook, so the
 * order of events is forced, not timed: every "not done" is checked after a marker (B's fsync has
 * returned) that must come first.
 */
@Timeout(120) // a hang guard: a lost hand-off would otherwise block forever
class OverlappedSyncTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private static final TopicPartition TP = new TopicPartition("t", 0);

  /** Holds the first fsync (group A) until released; then lets it pass or fail it. */
  private static final class SlowFirstFsync implements LogWriter.ForceHook {
    final CountDownLatch aEntered = new CountDownLatch(1);
    final CountDownLatch aRelease = new CountDownLatch(1);
    final Semaphore laterForced = new Semaphore(0);
    final AtomicBoolean first = new AtomicBoolean(true);
    final boolean failA;
    final List<String> events = new CopyOnWriteArrayList<>();

    SlowFirstFsync(boolean failA) {
      this.failA = failA;
    }

    @Override
    public void beforeForce(TopicPartition tp, long end, int lane) throws IOException {
      if (!first.compareAndSet(true, false)) {
        return;
      }
      events.add("A fsync entered, end " + end);
      aEntered.countDown();
      try {
        aRelease.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failA) {
        events.add("A fsync failed");
        throw new IOException("simulated fsync failure (EIO)");
      }
      events.add("A fsync returned");
    }

    @Override
    public void afterForce(TopicPartition tp, long end, int lane) {
      if (end > 1) {
        events.add("B fsync returned, end " + end);
        laterForced.release();
      }
    }
  }

  private static OutgoingRecord record(int i) {
    byte[] v = new byte[1024];
    v[0] = (byte) i;
    return OutgoingRecord.builder("t").partition(0).value(v).build();
  }

  private static long fileBytes(Path root) throws Exception {
    long total = 0;
    for (Path p : LogFixture.segments(root, "t", 0)) {
      total += Files.size(p);
    }
    return total;
  }

  @Test
  void aGroupWrittenAndSyncedDuringASlowFsyncIsAcknowledgedOnlyAfterIt() throws Exception {
    SlowFirstFsync hook = new SlowFirstFsync(false);
    List<String> acks = new CopyOnWriteArrayList<>();
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1 << 20).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      log.writer().hookForces(hook);
      try (Producer producer = log.producer(ProducerConfig.defaults())) {
        CompletableFuture<RecordMetadata> a = producer.send(record(0));
        var unusedA = a.thenRun(() -> acks.add("A"));
        hook.aEntered.await(); // A is written and its fsync is running (held)
        long afterA = fileBytes(dir);
        CompletableFuture<RecordMetadata> b = producer.send(record(1));
        var unusedB = b.thenRun(() -> acks.add("B"));
        hook.laterForced.acquire(); // marker: B was written and its own fsync has returned
        assertThat(fileBytes(dir))
            .as("B was written while A's fsync was still running (write overlaps fsync)")
            .isGreaterThan(afterA);
        assertThat(a).as("A: its fsync has not returned").isNotDone();
        assertThat(b).as("B: synced, but A before it is not acknowledged yet").isNotDone();
        assertThat(log.partition(TP).durableEnd()).as("nothing visible to consumers").isZero();
        hook.aRelease.countDown();
        assertThat(a.get().offset()).isZero();
        assertThat(b.get().offset()).isEqualTo(1);
        assertThat(acks).containsExactly("A", "B");
        assertThat(hook.events)
            .containsExactly(
                "A fsync entered, end 1", "B fsync returned, end 2", "A fsync returned");
        assertThat(log.partition(TP).durableEnd()).isEqualTo(2);
      }
    }
  }

  @Test
  void aFailedFsyncFailsTheGroupWrittenDuringItThoughItsOwnFsyncSucceeded() throws Exception {
    SlowFirstFsync hook = new SlowFirstFsync(true);
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1 << 20).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      log.writer().hookForces(hook);
      Producer producer = log.producer(ProducerConfig.defaults());
      CompletableFuture<RecordMetadata> a = producer.send(record(0));
      hook.aEntered.await();
      CompletableFuture<RecordMetadata> b = producer.send(record(1));
      hook.laterForced.acquire(); // B's own fsync succeeded while A's was held
      assertThat(b).isNotDone();
      hook.aRelease.countDown(); // A's fsync now fails
      assertThatThrownBy(a::get)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(EventLogException.class)
          .hasMessageContaining("nothing acknowledged")
          .hasMessageContaining("simulated fsync failure");
      assertThatThrownBy(b::get)
          .as("written after a failed fsync: never acknowledged")
          .hasCauseInstanceOf(EventLogException.class)
          .hasMessageContaining("failed earlier");
      assertThat(log.partition(TP).durableEnd()).isZero();
      assertThat(fileBytes(dir)).as("cut back to where A began, B included").isZero();
      assertThatThrownBy(() -> producer.send(record(2)).get())
          .as("the partition refuses appends until reopened")
          .hasMessageContaining("failed earlier");
      producer.close();
    }
    try (EmbeddedEventLog reopened =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1 << 20).build())) {
      assertThat(LogFixture.readAll(reopened, TP)).isEmpty();
      LogFixture.sendAll(reopened, "t", 0, 2); // recovered: writable again
      assertThat(reopened.partition(TP).durableEnd()).isEqualTo(2);
    }
  }
}
