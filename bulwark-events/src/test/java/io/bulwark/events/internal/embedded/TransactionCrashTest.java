package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across SIGKILL: a child JVM ({@link CrashTransactor}) runs an {@code
 * ExactlyOnceProcessor} (outputs and consumed offsets in one transaction each) and is killed at
 * random points — during open and replay, mid-commit, between the journal append and the records,
 * during a journal checkpoint. After every kill the log is reopened and must hold, over both output
 * partitions, exactly one output per input below the group's committed offset and none above it,
 * and the committed offset must be at least the last one the child saw acknowledged.
 */
class TransactionCrashTest {
  private static final int INPUTS = 4000;
  private static final int KILLS = 12;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Test
  void outputsAndOffsetsCommitTogetherExactlyOnceAcrossSigkill() throws Exception {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).build())) {
      log.createTopic(TopicSpec.of("in", 1));
      log.createTopic(TopicSpec.of("out", 2));
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        List<java.util.concurrent.CompletableFuture<?>> acks = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) {
          acks.add(p.send(OutgoingRecord.builder("in").key("k" + i).value(new byte[16]).build()));
        }
        acks.forEach(java.util.concurrent.CompletableFuture::join);
      }
    }
    Random random = new Random(20261204L);
    long acked = 0;
    int killsMidCommit = 0;
    for (int round = 0; round < KILLS; round++) {
      int commitsBeforeKill = round == 0 ? 0 : random.nextInt(40);
      long seen = runAndKill(1 + random.nextInt(12), commitsBeforeKill);
      acked = Math.max(acked, seen);
      killsMidCommit += commitsBeforeKill > 0 ? 1 : 0;
      long committed = verify(acked);
      if (committed >= INPUTS) {
        break;
      }
    }
    assertThat(killsMidCommit).isPositive();
    assertThat(acked).isPositive();
  }

  /** Runs the child until it acknowledged {@code commits} commits, kills it; the last offset. */
  private long runAndKill(int batch, int commits) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashTransactor.class.getName(),
                dir.toString(),
                Integer.toString(batch))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long last = 0;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = in.readLine();
      assertThat(line).as("child started").isEqualTo("READY");
      for (int c = 0; c < commits && (line = in.readLine()) != null; c++) {
        last = Long.parseLong(line.substring(2));
      }
      child.destroyForcibly(); // lines it printed after the last one read are not counted
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    return last;
  }

  /** Checks the reopened log; returns the committed offset. */
  private long verify(long acked) {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).build())) {
      long committed = log.offsets().committed("g", new TopicPartition("in", 0)).orElse(0);
      assertThat(committed).as("acknowledged commits survive").isGreaterThanOrEqualTo(acked);
      List<Long> outputs = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        for (EventRecord r : LogFixture.readAll(log, new TopicPartition("out", p))) {
          outputs.add(ByteBuffer.wrap(r.value()).getLong());
        }
      }
      outputs.sort(null);
      assertThat(outputs)
          .as("one output per committed input, none for uncommitted ones")
          .containsExactlyElementsOf(LongStream.range(0, committed).boxed().toList());
      return committed;
    }
  }
}
