package io.bulwark.bench.events;

import io.bulwark.bench.BenchResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code bulwark bench events --ideal-group-commit}: the latency floor the disk sets for any log
 * that acknowledges a record only after an {@code fdatasync} covering it, at the latency row's load
 * (1 KiB records arriving at 2,000 per second, open loop).
 *
 * <p>The "log" here has no software in it: records arrive on a fixed schedule (record {@code i} at
 * {@code start + i × 500 µs}, so a slow fsync cannot delay the arrivals it holds up: no coordinated
 * omission), and one thread that spins (never sleeps) writes every record that has arrived in one
 * {@code write}, calls {@code fdatasync}, and then counts each of those records' latency from its
 * scheduled arrival. That is classic group commit with zero overhead besides the system calls, so
 * its p99 is what the disk allows such a log at this rate. Beside it, in the same round, the disk
 * probe the events suite compares against ({@link DiskProbe}: 1,000 closed-loop 4 KiB write +
 * fdatasync pairs, each timed alone), and the embedded log itself at the same rate (the latency
 * row's measurement, {@link EventsSuite#latency}: send to the consumer's poll), so each round sets
 * the log beside the floor the disk allowed in that same minute. Rounds alternate the measurements;
 * the files are appended to, as the probe's is.
 */
final class IdealGroupCommit {
  private static final int RECORD = 1024;
  private static final long INTERVAL_NANOS = 500_000; // 2,000 records per second
  private static final long SECONDS = 6;
  private static final long DROPPED_NANOS = 1_000_000_000L; // the first second, as the latency row

  private IdealGroupCommit() {}

  static BenchResult run(Path base, boolean quick, PrintStream out) throws Exception {
    int rounds = quick ? 1 : 3;
    long seconds = quick ? 3 : SECONDS;
    Map<String, Double> metrics = new LinkedHashMap<>();
    long[] allIdeal = new long[0];
    long[] allTwo = new long[0];
    Histogram allLog = new Histogram(60_000_000L, 3);
    double[] probeP99 = new double[rounds];
    try (EmbeddedDriver embedded = new EmbeddedDriver(base.resolve("embedded"))) {
      EventsSuite.throughput(embedded, RECORD, 15_000); // warm-up: the log's code compiled
      Histogram unused = EventsSuite.latency(embedded, RECORD, 2000, 2); // and its latency path
      for (int round = 0; round < rounds; round++) {
        DiskProbe.Figures disk = DiskProbe.measure(base);
        probeP99[round] = disk.fsyncP99Micros();
        long[] ideal = measure(base.resolve("ideal-group-commit.bin"), seconds);
        long[] two = measureOverlapping(base.resolve("ideal-two-syncers.bin"), seconds);
        // latency() drops its first second and records the ones after the given count: as many
        // records as measure() keeps
        Histogram log = EventsSuite.latency(embedded, RECORD, 2000, (int) seconds - 1);
        allLog.add(log);
        out.printf(
            Locale.ROOT,
            "round %d: two overlapping syncers (a group is written and synced while the previous"
                + " group's fdatasync is still running; acknowledged in log order): p50 %.0f us,"
                + " p99 %.0f us, p99.9 %.0f us%n",
            round,
            at(two, 0.50),
            at(two, 0.99),
            at(two, 0.999));
        allTwo = append(allTwo, two);
        out.printf(
            Locale.ROOT,
            "round %d: probe fsync(4 KiB) p50 %.0f us p99 %.0f us | ideal group commit at 2,000/s:"
                + " p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us (%d records)%n",
            round,
            disk.fsyncMedianMicros(),
            disk.fsyncP99Micros(),
            at(ideal, 0.50),
            at(ideal, 0.99),
            at(ideal, 0.999),
            ideal[ideal.length - 1] / 1e3,
            ideal.length);
        allIdeal = append(allIdeal, ideal);
        out.printf(
            Locale.ROOT,
            "round %d: embedded log at 2,000/s (send to the consumer's poll): p50 %d us, p99 %d us,"
                + " p99.9 %d us, max %d us (%d records)%n",
            round,
            log.getValueAtPercentile(50),
            log.getValueAtPercentile(99),
            log.getValueAtPercentile(99.9),
            log.getMaxValue(),
            log.getTotalCount());
      }
    }
    Arrays.sort(allIdeal);
    Arrays.sort(probeP99);
    double probe = probeP99[probeP99.length / 2];
    double p99 = at(allIdeal, 0.99);
    metrics.put("probe_fsync_p99_us", probe);
    metrics.put("ideal_p50_us", at(allIdeal, 0.50));
    metrics.put("ideal_p99_us", p99);
    metrics.put("ideal_p999_us", at(allIdeal, 0.999));
    Arrays.sort(allTwo);
    metrics.put("two_syncers_p50_us", at(allTwo, 0.50));
    metrics.put("two_syncers_p99_us", at(allTwo, 0.99));
    metrics.put("two_syncers_p999_us", at(allTwo, 0.999));
    double logP99 = allLog.getValueAtPercentile(99);
    metrics.put("embedded_p50_us", (double) allLog.getValueAtPercentile(50));
    metrics.put("embedded_p99_us", logP99);
    metrics.put("embedded_p999_us", (double) allLog.getValueAtPercentile(99.9));
    metrics.put("embedded_p99_minus_ideal_p99_us", logP99 - p99);
    out.printf(
        Locale.ROOT,
        "two overlapping syncers p99 %.0f us = probe fsync p99 + %.0f us%n",
        at(allTwo, 0.99),
        at(allTwo, 0.99) - probe);
    out.printf(
        Locale.ROOT,
        "ideal group commit p99 %.0f us = probe fsync p99 (median of rounds) %.0f us + %.0f us%n",
        p99,
        probe,
        p99 - probe);
    out.printf(
        Locale.ROOT,
        "embedded log p99 %.0f us = ideal group commit p99 + %.0f us (probe fsync p99 + %.0f us)%n",
        logP99,
        logP99 - p99,
        logP99 - probe);
    return new BenchResult("events", metrics, p99 / probe);
  }

  private static long[] append(long[] all, long[] more) {
    long[] joined = Arrays.copyOf(all, all.length + more.length);
    System.arraycopy(more, 0, joined, all.length, more.length);
    return joined;
  }

  /** A new, empty file for one measurement, opened for writing. */
  private static FileChannel fresh(Path file) throws IOException {
    return FileChannel.open(
        file,
        StandardOpenOption.CREATE,
        StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** A direct buffer of up to 64 records, filled with a non-zero pattern. */
  private static ByteBuffer filledBatch() {
    ByteBuffer batch = ByteBuffer.allocateDirect(RECORD * 64);
    for (int i = 0; i < batch.capacity(); i++) {
      batch.put(i, (byte) (i * 31 + 7));
    }
    return batch;
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * quantile))] / 1e3;
  }

  /**
   * As {@link #measure}, but with two spinning syncer threads: each claims every record that has
   * arrived and is not yet claimed, writes it at its place in the file ({@code pwrite}, so the two
   * threads' writes do not wait for each other), calls {@code fdatasync} and notes when it
   * returned. A group can thus be written and synced while the previous group's {@code fdatasync}
   * is still running. A record counts as acknowledged when its own group's {@code fdatasync} and
   * those of all earlier groups have returned (a log acknowledges in order). Latencies (ns, sorted)
   * of the records after the first second.
   */
  static long[] measureOverlapping(Path file, long seconds) throws Exception {
    Files.deleteIfExists(file);
    int total = (int) (seconds * 1_000_000_000L / INTERVAL_NANOS);
    long[] durableAt = new long[total]; // per record: when its group's fdatasync returned
    java.util.concurrent.atomic.AtomicInteger claimed =
        new java.util.concurrent.atomic.AtomicInteger();
    long start = System.nanoTime() + 5_000_000;
    try (FileChannel ch = fresh(file)) {
      Runnable syncer =
          () -> {
            ByteBuffer batch = filledBatch();
            try {
              while (true) {
                int from = claimed.get();
                if (from >= total) {
                  return;
                }
                long now = System.nanoTime();
                long arrived =
                    now < start ? 0 : Math.min(total, (now - start) / INTERVAL_NANOS + 1);
                if (arrived <= from) {
                  Thread.onSpinWait();
                  continue;
                }
                int n = (int) Math.min(arrived - from, 64);
                if (!claimed.compareAndSet(from, from + n)) {
                  continue;
                }
                batch.clear().limit(n * RECORD);
                long position = (long) from * RECORD;
                while (batch.hasRemaining()) {
                  position += ch.write(batch, position);
                }
                ch.force(false);
                long synced = System.nanoTime();
                for (int i = from; i < from + n; i++) {
                  durableAt[i] = synced;
                }
              }
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          };
      java.util.concurrent.Future<?> a;
      java.util.concurrent.Future<?> b;
      try (java.util.concurrent.ExecutorService two =
          java.util.concurrent.Executors.newFixedThreadPool(2)) {
        a = two.submit(syncer);
        b = two.submit(syncer);
        a.get();
        b.get();
      }
    } finally {
      Files.deleteIfExists(file);
    }
    long[] latency = new long[total];
    long acked = 0;
    for (int i = 0; i < total; i++) {
      acked = Math.max(acked, durableAt[i]); // in order: after every earlier record's sync
      latency[i] = acked - (start + i * INTERVAL_NANOS);
    }
    int skip = (int) (DROPPED_NANOS / INTERVAL_NANOS);
    long[] kept = Arrays.copyOfRange(latency, skip, total);
    Arrays.sort(kept);
    return kept;
  }

  /** Latencies (ns, sorted) of the records after the first second. */
  static long[] measure(Path file, long seconds) throws IOException {
    Files.deleteIfExists(file);
    int total = (int) (seconds * 1_000_000_000L / INTERVAL_NANOS);
    long[] latency = new long[total];
    ByteBuffer batch = filledBatch();
    try (FileChannel ch = fresh(file)) {
      long position = 0;
      int done = 0;
      long start = System.nanoTime() + 1_000_000;
      while (done < total) {
        long now = System.nanoTime();
        long arrived = now < start ? 0 : Math.min(total, (now - start) / INTERVAL_NANOS + 1);
        if (arrived <= done) {
          Thread.onSpinWait();
          continue;
        }
        int n = (int) Math.min(arrived - done, 64);
        batch.clear().limit(n * RECORD);
        while (batch.hasRemaining()) {
          position += ch.write(batch, position);
        }
        ch.force(false);
        long acked = System.nanoTime();
        for (int i = done; i < done + n; i++) {
          latency[i] = acked - (start + i * INTERVAL_NANOS);
        }
        done += n;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    int skip = (int) (DROPPED_NANOS / INTERVAL_NANOS);
    long[] kept = Arrays.copyOfRange(latency, skip, total);
    Arrays.sort(kept);
    return kept;
  }
}
