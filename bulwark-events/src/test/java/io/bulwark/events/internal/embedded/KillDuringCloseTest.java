package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.EventRecord;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends, then closes the log cleanly; it is killed with SIGKILL as soon as it starts
 * closing (while the index files are written), or just after it closed, or left to exit. After
 * every round the log must hold every acknowledged record at its offset with its value; after a
 * close that finished, the next open scans no segment.
 */
class KillDuringCloseTest {
  private static final int ROUNDS = 12;
  private static final int PER_ROUND = 30;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Test
  void aSigkillAnywhereInACleanCloseLosesNothingAndAFinishedCloseSparesTheNextScan()
      throws Exception {
    int acked = 0;
    for (int round = 0; round < ROUNDS; round++) {
      int mode = round % 3; // 0: kill while closing, 1: kill after closed, 2: normal exit
      boolean closed = runChild(acked, acked + PER_ROUND, mode);
      acked += PER_ROUND;
      try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
        TopicPartition tp = new TopicPartition("t", 0);
        List<EventRecord> all = LogFixture.readAll(log, tp);
        assertThat(all).as("round %d", round).hasSize(acked);
        for (int i = 0; i < acked; i++) {
          assertThat(all.get(i).offset()).isEqualTo(i);
          assertThat(all.get(i).value(Serdes.string())).isEqualTo("value-" + i);
        }
        if (closed) {
          assertThat(log.partition(tp).scannedAtOpen()).as("round %d", round).isZero();
        }
      }
    }
  }

  /** Runs one child; whether it finished its close before it ended. */
  private boolean runChild(int from, int to, int mode) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx96m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                CloseChild.class.getName(),
                dir.toString(),
                Integer.toString(from),
                Integer.toString(to))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    boolean closed = false;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(in.readLine()).isEqualTo("CLOSING");
      if (mode == 0) {
        child.destroyForcibly();
      } else {
        closed = "CLOSED".equals(in.readLine());
        if (mode == 1) {
          child.destroyForcibly();
        }
      }
    } finally {
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    return closed;
  }
}
