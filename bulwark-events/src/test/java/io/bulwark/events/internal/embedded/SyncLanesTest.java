package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync lanes beyond two, run by the worker that wrote each group (leader/follower): while the
 * fsyncs of earlier groups are held in their lanes, the writer's role has passed on, so a later
 * group is written and fsynced on a free lane at once, its fsync covers every held group of the
 * same file, and acknowledgements stay in write order. The fsyncs are held through the writer's
 * fsync hook, so every order is forced by markers, not timed.
 */
@Timeout(120) // a hang guard: a lost hand-off would otherwise block forever
class SyncLanesTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private static final TopicPartition TP = new TopicPartition("t", 0);

  private static OutgoingRecord record(int i) {
    byte[] v = new byte[1024];
    v[0] = (byte) i;
    return OutgoingRecord.builder("t").partition(0).value(v).build();
  }

  private static EmbeddedEventLog open(Path dir) {
    return EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1 << 20).build());
  }

  private static HeldFsyncs hooked(EmbeddedEventLog log, HeldFsyncs hook) {
    log.createTopic(TopicSpec.of("t", 1));
    log.writer().hookForces(hook);
    return hook;
  }

  private static List<Byte> firstBytes(Path dir) {
    try (EmbeddedEventLog reopened = open(dir)) {
      List<Byte> firsts = new ArrayList<>();
      for (var r : LogFixture.readAll(reopened, TP)) {
        firsts.add(Objects.requireNonNull(r.value())[0]);
      }
      return firsts;
    }
  }

  @Test
  void whileEveryLaneButOneHoldsAFsyncTheNextGroupIsFsyncedOnTheLastLaneAndCoversThemAll()
      throws Exception {
    int held = GroupSyncer.LANES - 1;
    assumeTrue(held >= 2, "needs at least three sync lanes");
    List<Integer> acks = new CopyOnWriteArrayList<>();
    try (EmbeddedEventLog log = open(dir);
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, new HeldFsyncs(new boolean[held]))) {
      List<CompletableFuture<RecordMetadata>> heldGroups = new ArrayList<>();
      for (int i = 0; i < held; i++) {
        CompletableFuture<RecordMetadata> f = producer.send(record(i));
        int n = i;
        var unused = f.thenRun(() -> acks.add(n));
        heldGroups.add(f);
        hook.entered[i].await(); // group i is written and its fsync is held in its lane
      }
      CompletableFuture<RecordMetadata> last = producer.send(record(held));
      var unused = last.thenRun(() -> acks.add(held));
      assertThat(last.get(30, TimeUnit.SECONDS).offset())
          .as("written and fsynced although %d fsyncs are held", held)
          .isEqualTo(held);
      for (int i = 0; i < held; i++) {
        assertThat(heldGroups.get(i).get(0, TimeUnit.SECONDS).offset())
            .as("group %d: covered by the last group's fsync", i)
            .isEqualTo(i);
      }
      List<Integer> inOrder = new ArrayList<>();
      for (int i = 0; i <= held; i++) {
        inOrder.add(i);
      }
      assertThat(acks).as("acknowledged in write order").containsExactlyElementsOf(inOrder);
      assertThat(log.writer().coveredAcks()).isEqualTo(held);
      assertThat(log.partition(TP).durableEnd()).isEqualTo(held + 1);
      for (int i = 0; i < held; i++) {
        assertThat(hook.events).doesNotContain("fsync " + i + " returned");
      }
      assertThat(hook.fsyncThreads)
          .as("each running fsync on its own worker: the writer's role was passed on")
          .hasSize(held + 1);
      assertThat(log.writer().waitsForSyncLane()).isFalse();
    }
    assertThat(firstBytes(dir)).containsExactly(toBytes(held + 1));
  }

  @Test
  void withEveryLaneHeldTheNextGroupWaitsAndIsAcknowledgedOnlyAfterTheGroupsBeforeIt()
      throws Exception {
    int lanes = GroupSyncer.LANES;
    try (EmbeddedEventLog log = open(dir);
        Producer producer = log.producer(ProducerConfig.defaults());
        HeldFsyncs hook = hooked(log, new HeldFsyncs(new boolean[lanes]))) {
      List<CompletableFuture<RecordMetadata>> heldGroups = new ArrayList<>();
      for (int i = 0; i < lanes; i++) {
        heldGroups.add(producer.send(record(i)));
        hook.entered[i].await();
      }
      CompletableFuture<RecordMetadata> waiting = producer.send(record(lanes));
      while (!log.writer().waitsForSyncLane()) {
        Thread.onSpinWait(); // the writer took it and waits for a lane: every lane is busy
      }
      assertThat(heldGroups)
          .as("no fsync returned: nothing acknowledged")
          .noneMatch(f -> f.isDone());
      assertThat(waiting).isNotDone();
      assertThat(log.partition(TP).durableEnd()).isZero();
      hook.release[0].countDown(); // the first lane frees: the waiting group takes it
      assertThat(waiting.get(30, TimeUnit.SECONDS).offset()).isEqualTo(lanes);
      for (int i = 0; i < lanes; i++) {
        assertThat(heldGroups.get(i).get(0, TimeUnit.SECONDS).offset())
            .as("group %d: acknowledged before the group after it", i)
            .isEqualTo(i);
      }
      assertThat(log.writer().coveredAcks())
          .as("the groups still held were covered by the last group's fsync")
          .isEqualTo(lanes - 1);
      assertThat(hook.events)
          .as("the waiting group's fsync")
          .contains("fsync " + lanes + " entered, t-0 end " + (lanes + 1));
      assertThat(hook.lanes.get(lanes))
          .as("the waiting group was fsynced on the lane freed first")
          .isEqualTo(0);
    }
    assertThat(firstBytes(dir)).containsExactly(toBytes(lanes + 1));
  }

  @Test
  void theLaneCountPropertyIsCheckedWithTheBadValueNamed() {
    assertThat(GroupSyncer.lanes(null)).isEqualTo(3);
    assertThat(GroupSyncer.lanes(" 4 ")).isEqualTo(4);
    assertThat(GroupSyncer.lanes("1")).isEqualTo(1);
    for (String bad : List.of("0", "9", "-2", "three", "2.5")) {
      assertThatThrownBy(() -> GroupSyncer.lanes(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bulwark.events.syncLanes")
          .hasMessageContaining("'" + bad + "'");
    }
  }

  private static Byte[] toBytes(int n) {
    Byte[] b = new Byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }
}
