package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.TopicPartition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability proof: a child JVM appends with acknowledgements and is killed with SIGKILL
 * ({@code Process.destroyForcibly}) at random points; after every kill the log is reopened
 * (recovered) and every acknowledged record must be present at its acknowledged offset with its
 * value, records of each partition in send order, every batch CRC-valid (reads verify CRCs).
 *
 * <p>The default run kills {@value #DEFAULT_KILLS} times; {@code -Dbulwark.crash.kills=300} runs
 * the full count.
 */
class CrashRecoveryTest {
  private static final int DEFAULT_KILLS = 20;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private int killsInsideAReserve;

  @Test
  void everyAcknowledgedRecordSurvivesRepeatedSigkill() throws Exception {
    int kills = Integer.getInteger("bulwark.crash.kills", DEFAULT_KILLS);
    Random random = new Random(Long.getLong("bulwark.crash.seed", 20261125L));
    List<Map<Long, Long>> acked = List.of(new HashMap<>(), new HashMap<>());
    long totalAcks = 0;
    for (int round = 0; round < kills; round++) {
      long firstValue = (round + 1) * 1_000_000_000L;
      int killAfter = random.nextInt(400); // 0: kill while opening/recovering or before any ack
      totalAcks += runAndKill(firstValue, killAfter, acked);
      verify(acked);
    }
    assertThat(totalAcks).isGreaterThan(kills * 50L);
    if (Preallocation.available()) {
      assertThat(killsInsideAReserve)
          .as("kills that left the active segment with its preallocated zero tail")
          .isPositive();
    }
    System.out.printf(
        "crash test: %d SIGKILLs, %d acknowledged records, all verified after every restart%n",
        kills, acked.get(0).size() + acked.get(1).size());
  }

  private long runAndKill(long firstValue, int killAfter, List<Map<Long, Long>> acked)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx96m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "--enable-native-access=ALL-UNNAMED", // as the launcher: preallocated segments
                "-cp",
                System.getProperty("java.class.path"),
                CrashAppender.class.getName(),
                dir.toString(),
                Long.toString(firstValue))
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
          if (killAfter == 0) {
            break;
          }
          continue;
        }
        String[] p = line.split(" ", -1);
        acked.get(Integer.parseInt(p[1])).put(Long.parseLong(p[2]), Long.parseLong(p[3]));
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
    for (int p = 0; p < 2; p++) {
      Path partition = dir.resolve("topics").resolve("crash").resolve("" + p);
      if (Files.isDirectory(partition)) {
        List<Path> segs = LogFixture.segments(dir, "crash", p);
        if (!segs.isEmpty() && Files.size(segs.get(segs.size() - 1)) == 64 * 1024) {
          killsInsideAReserve++; // killed before the trim: the reopen must cut the zeros
          break;
        }
      }
    }
    return count;
  }

  private void verify(List<Map<Long, Long>> acked) {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).segmentBytes(64 * 1024).build())) {
      for (int partition = 0; partition < 2; partition++) {
        List<EventRecord> records = LogFixture.readAll(log, new TopicPartition("crash", partition));
        List<Long> values = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
          assertThat(records.get(i).offset()).isEqualTo(i);
          values.add(ByteBuffer.wrap(records.get(i).value()).getLong());
        }
        for (int i = 1; i < values.size(); i++) {
          assertThat(values.get(i))
              .as("send order in partition %d", partition)
              .isGreaterThan(values.get(i - 1));
        }
        for (Map.Entry<Long, Long> a : acked.get(partition).entrySet()) {
          assertThat(a.getKey()).as("acknowledged offset present").isLessThan(values.size());
          assertThat(values.get(a.getKey().intValue()))
              .as("value at acknowledged offset %d", a.getKey())
              .isEqualTo(a.getValue());
        }
      }
    }
  }
}
