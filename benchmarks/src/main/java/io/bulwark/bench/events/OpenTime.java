package io.bulwark.bench.events;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import io.bulwark.events.internal.embedded.EmbeddedEventLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Open time of a 1 GiB embedded log (default config: 64 MiB segments, fsync per batch), measured on
 * one log in three states:
 *
 * <ol>
 *   <li>{@code unclean}: a child JVM writes 1 KiB records to one partition until at least 1 GiB of
 *       values is acknowledged, keeps writing, and is killed with SIGKILL ({@code
 *       destroyForcibly}); the parent then opens the log (recovery) and times it.
 *   <li>{@code clean}: that log is closed cleanly and opened again.
 *   <li>{@code scan}: the reference — the same log with its per-segment index files removed, so the
 *       open scans and CRC-checks every segment (what every open did before index files).
 * </ol>
 *
 * Each open is checked: the partition must end at or past the last acknowledged offset, and the
 * three opens must agree on the end. Before each timed open every file of the log is read once, so
 * all three sides start from a warm page cache and measure the open's own work (a cold-cache open
 * reads the disk for what it scans). The log is deleted after. Runs alone too: {@code java -cp
 * benchmarks.jar io.bulwark.bench.events.OpenTime [GiB]}.
 */
public final class OpenTime {
  private static final String TOPIC = "open";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
  private static final int RECORD = 1024;

  private OpenTime() {}

  /** Figures keyed {@code open_ms_1GiB_clean}, {@code open_ms_1GiB_unclean}, {@code ..._scan}. */
  static Map<String, Double> measure(Path base, long bytes, PrintStream out) throws Exception {
    Path dir = base.resolve("open-time");
    Map<String, Double> figures = new LinkedHashMap<>();
    try {
      warmUp(base.resolve("open-warmup"));
      long acked = writeAndKill(dir, bytes);
      long[] unclean = timedOpen(dir, false);
      long[] clean = timedOpen(dir, false);
      long[] scan = timedOpen(dir, true);
      for (long[] r : new long[][] {unclean, clean, scan}) {
        if (r[1] < acked || r[1] != unclean[1]) {
          throw new IllegalStateException(
              "log ends at " + r[1] + " but " + acked + " records were acknowledged");
        }
      }
      long logBytes = sizeOf(dir);
      out.printf(
          Locale.ROOT,
          "open time, %.2f GiB log (%d records, %d segments of 64 MiB):%n"
              + "  unclean (after SIGKILL) %8.1f ms%n"
              + "  clean                   %8.1f ms%n"
              + "  full scan (no index)    %8.1f ms   clean/scan = %.3f%n",
          logBytes / (double) (1L << 30),
          unclean[1],
          segments(dir),
          unclean[0] / 1e6,
          clean[0] / 1e6,
          scan[0] / 1e6,
          clean[0] / (double) scan[0]);
      figures.put("open_ms_1GiB_clean", clean[0] / 1e6);
      figures.put("open_ms_1GiB_unclean", unclean[0] / 1e6);
      figures.put("open_ms_1GiB_scan", scan[0] / 1e6);
    } finally {
      deleteTree(dir);
      deleteTree(base.resolve("open-warmup"));
    }
    return figures;
  }

  /** Opens and closes a small log a few times so the timed opens do not pay class loading. */
  private static void warmUp(Path dir) throws IOException {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(config(dir))) {
      log.createTopic(TopicSpec.of(TOPIC, 1));
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        for (int i = 0; i < 2000; i++) {
          var unused = p.send(OutgoingRecord.builder(TOPIC).value(new byte[RECORD]).build());
        }
        p.flush();
      }
    }
    for (int i = 0; i < 5; i++) {
      EmbeddedEventLog.open(config(dir)).close();
    }
    deleteTree(dir);
  }

  private static EmbeddedLogConfig config(Path dir) {
    return EmbeddedLogConfig.builder(dir).build();
  }

  /** {nanoseconds to open, partition end}; closes the log cleanly after. */
  private static long[] timedOpen(Path dir, boolean dropIndexes) throws IOException {
    if (dropIndexes) {
      try (Stream<Path> files = Files.list(dir.resolve("topics").resolve(TOPIC).resolve("0"))) {
        for (Path f : files.filter(f -> !f.toString().endsWith(".log")).toList()) {
          Files.delete(f);
        }
      }
    }
    warmCache(dir);
    long start = System.nanoTime();
    EmbeddedEventLog log = EmbeddedEventLog.open(config(dir));
    long nanos = System.nanoTime() - start;
    try (log) {
      return new long[] {nanos, log.bounds(TP)[1]};
    }
  }

  /** Runs a writer child until it has {@code bytes} acknowledged, kills it; acknowledged count. */
  private static long writeAndKill(Path dir, long bytes) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                OpenTime.class.getName(),
                "--write",
                dir.toString(),
                Long.toString(bytes))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = in.readLine();
      if (line == null || !line.startsWith("WRITTEN ")) {
        throw new IllegalStateException("writer child failed: " + line);
      }
      child.destroyForcibly(); // SIGKILL while it is still appending
      return Long.parseLong(line.substring("WRITTEN ".length()));
    } finally {
      child.destroyForcibly();
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("writer child did not die");
      }
    }
  }

  /**
   * Child: appends 1 KiB records forever; prints the acknowledged count once past {@code bytes}.
   */
  private static void write(Path dir, long bytes) {
    EmbeddedEventLog log = EmbeddedEventLog.open(config(dir));
    log.createTopic(TopicSpec.of(TOPIC, 1));
    Producer producer =
        log.producer(
            ProducerConfig.builder().maxBufferedRecords(20_000).propagateContext(false).build());
    byte[] value = new byte[RECORD];
    new Random(1).nextBytes(value);
    long target = bytes / RECORD;
    AtomicLong acked = new AtomicLong();
    for (long i = 0; ; i++) {
      CompletableFuture<?> f =
          producer.send(OutgoingRecord.builder(TOPIC).value(value).partition(0).build());
      if (i + 1 == target) {
        f.join();
        acked.set(log.bounds(TP)[1]);
        System.out.println("WRITTEN " + acked.get());
        System.out.flush();
      }
    }
  }

  /** Reads every file of the log once, so the timed open finds it in the page cache. */
  private static void warmCache(Path dir) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
          while (ch.read(buf.clear()) > 0) {
            // reading is the point
          }
        }
      }
    }
  }

  private static int segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("topics").resolve(TOPIC).resolve("0"))) {
      return (int) files.filter(f -> f.toString().endsWith(".log")).count();
    }
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--write")) {
      write(Path.of(args[1]), Long.parseLong(args[2]));
      return;
    }
    double gib = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    Path base = Files.createTempDirectory("bulwark-open-time");
    try {
      Map<String, Double> figures = measure(base, (long) (gib * (1L << 30)), System.out);
      System.out.println(figures);
    } finally {
      deleteTree(base);
    }
  }
}
