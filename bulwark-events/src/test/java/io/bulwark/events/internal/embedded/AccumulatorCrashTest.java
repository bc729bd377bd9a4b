package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.TopicPartition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL in the middle of accumulated batches: a child JVM runs several producers whose open
 * batches fill while the writer works ({@link CrashBatchAppender}) and is killed at random points.
 * After every kill the reopened log must hold every acknowledged record at its acknowledged offset,
 * no record twice, and each producer's records of a partition in send order.
 */
class AccumulatorCrashTest {
  private static final int KILLS = 15;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  /** An acknowledged record: its producer and index. */
  private record Sent(int producer, long index) {}

  @Test
  void noAcknowledgedRecordIsLostAndNoneIsStoredTwiceAcrossSigkills() throws Exception {
    Random random = new Random(20261205L);
    List<Map<Long, Sent>> acked = new ArrayList<>();
    for (int p = 0; p < CrashBatchAppender.PARTITIONS; p++) {
      acked.add(new HashMap<>());
    }
    long total = 0;
    for (int round = 0; round < KILLS; round++) {
      total += runAndKill((round + 1) * 1_000_000_000L, 1 + random.nextInt(3000), acked);
      verify(acked);
    }
    assertThat(total).isGreaterThan(KILLS * 100L);
  }

  private long runAndKill(long firstIndex, int killAfter, List<Map<Long, Sent>> acked)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                CrashBatchAppender.class.getName(),
                dir.toString(),
                Long.toString(firstIndex))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long count = 0;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean ready = false;
      while ((line = in.readLine()) != null) {
        if (line.equals("READY")) {
          ready = true;
          continue;
        }
        String[] f = line.split(" ", -1);
        Sent s = new Sent(Integer.parseInt(f[3]), Long.parseLong(f[4]));
        Sent before = acked.get(Integer.parseInt(f[1])).put(Long.parseLong(f[2]), s);
        assertThat(before).as("an offset acknowledged twice").isNull();
        if (++count >= killAfter) {
          break;
        }
      }
      assertThat(ready).as("child started and recovered the log").isTrue();
      child.destroyForcibly();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    return count;
  }

  private void verify(List<Map<Long, Sent>> acked) {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).segmentBytes(64 * 1024).build())) {
      Set<Sent> seen = new HashSet<>();
      for (int partition = 0; partition < CrashBatchAppender.PARTITIONS; partition++) {
        List<EventRecord> records = LogFixture.readAll(log, new TopicPartition("crash", partition));
        List<Sent> stored = new ArrayList<>(records.size());
        Map<Integer, Long> lastIndex = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
          assertThat(records.get(i).offset()).isEqualTo(i);
          ByteBuffer v = ByteBuffer.wrap(records.get(i).value());
          Sent s = new Sent(v.getInt(), v.getLong());
          assertThat(seen.add(s)).as("%s stored once", s).isTrue();
          Long last = lastIndex.put(s.producer(), s.index());
          assertThat(last == null || last < s.index())
              .as("send order of producer %d in partition %d", s.producer(), partition)
              .isTrue();
          stored.add(s);
        }
        for (Map.Entry<Long, Sent> a : acked.get(partition).entrySet()) {
          assertThat(a.getKey()).as("acknowledged offset present").isLessThan(stored.size());
          assertThat(stored.get(a.getKey().intValue()))
              .as("record at acknowledged offset %d of partition %d", a.getKey(), partition)
              .isEqualTo(a.getValue());
        }
      }
    }
  }
}
