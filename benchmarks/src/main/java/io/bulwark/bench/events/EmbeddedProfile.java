package io.bulwark.bench.events;

import io.bulwark.bench.BenchResult;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.internal.embedded.EmbeddedEventLog;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code bulwark bench events --embedded-only}: the embedded log alone, no Kafka, for finding where
 * its time goes on a busy machine. 1 KiB records, one producer, one partition: CPU per record by
 * thread (the producer's, the writer's, the sync lanes'), group commits (one fsync each) per record
 * and bytes per group; then the end-to-end latency at 2,000 records/s with the group commits'
 * durations (encode start to acknowledgement: write, fsync and the in-order wait) beside it. The
 * keys are those of the full suite's embedded side plus {@code profile_*} keys; {@code ratio} is
 * the disk share.
 */
final class EmbeddedProfile {
  private static final int SIZE = 1024;

  private EmbeddedProfile() {}

  /** Counts group commits and records their durations (µs), from the log's listener. */
  static final class Groups implements EventLogListener {
    final LongAdder groups = new LongAdder();
    final LongAdder records = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final Recorder micros = new Recorder(60_000_000L, 3);

    @Override
    public void onGroupCommit(int batches, int partitions, long nanos) {
      groups.increment();
      micros.recordValue(Math.max(0, Math.min(60_000_000L, nanos / 1000)));
    }

    @Override
    public void onAppend(TopicPartition partition, int recordCount, int byteCount) {
      records.add(recordCount);
      bytes.add(byteCount);
    }

    void reset() {
      groups.reset();
      records.reset();
      bytes.reset();
      micros.reset();
    }
  }

  static BenchResult run(Path base, boolean quick, PrintStream out) throws Exception {
    DiskProbe.Figures disk = DiskProbe.measure(base);
    out.printf(
        Locale.ROOT,
        "disk: sequential write %.0f MB/s, fsync(4 KiB) p50 %.0f us, p99 %.0f us%n",
        disk.seqWriteMBps(),
        disk.fsyncMedianMicros(),
        disk.fsyncP99Micros());
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("disk_seq_write_MBps", disk.seqWriteMBps());
    metrics.put("disk_fsync_p50_us", disk.fsyncMedianMicros());
    metrics.put("disk_fsync_p99_us", disk.fsyncP99Micros());
    Groups groups = new Groups();
    try (EmbeddedDriver embedded = new EmbeddedDriver(base.resolve("embedded"), groups)) {
      int n = quick ? 60_000 : 200_000;
      EventsSuite.throughput(embedded, SIZE, n / 4);
      double best = 0;
      JvmCost cost = new JvmCost();
      Map<String, Long> cpuBefore = threadCpu();
      groups.reset();
      long fsyncsBefore = EmbeddedEventLog.fsyncCount();
      int rounds = quick ? 2 : 5;
      for (int round = 0; round < rounds; round++) {
        cost.start();
        double rps = EventsSuite.throughput(embedded, SIZE, n);
        cost.stop();
        out.printf(Locale.ROOT, "round %d: %.0f rec/s, %.1f MB/s%n", round, rps, rps * SIZE / 1e6);
        best = Math.max(best, rps);
      }
      long records = (long) n * rounds;
      long fsyncs = EmbeddedEventLog.fsyncCount() - fsyncsBefore;
      Map<String, Long> cpuAfter = threadCpu();
      for (Map.Entry<String, Long> e : cpuAfter.entrySet()) {
        long used = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
        if (used * 1000L / records > 10) { // above 0.01 µs per record
          out.printf(
              Locale.ROOT, "  thread %-24s %.3f us CPU/record%n", e.getKey(), used / 1e3 / records);
          metrics.put("profile_cpu_us_" + key(e.getKey()), used / 1e3 / records);
        }
      }
      double perGroup = groups.records.sum() / (double) Math.max(1, groups.groups.sum());
      out.printf(
          Locale.ROOT,
          "1024B embedded best %.0f rec/s = %.1f MB/s (%.3f of the disk); whole JVM %.2f us CPU and"
              + " %.0f B allocated per record; %.1f records (%.0f KiB) per group commit,"
              + " %.5f fsyncs per record%n",
          best,
          best * SIZE / 1e6,
          best * SIZE / (disk.seqWriteMBps() * (1 << 20)),
          cost.cpuNanos() / 1e3 / records,
          cost.allocatedBytes() / (double) records,
          perGroup,
          groups.bytes.sum() / 1024.0 / Math.max(1, groups.groups.sum()),
          fsyncs / (double) records);
      metrics.put("embedded_1024B_rps", best);
      metrics.put("profile_fsyncs_per_1000_records", fsyncs * 1000.0 / records);
      metrics.put("disk_share_1024B", best * SIZE / (disk.seqWriteMBps() * (1 << 20)));
      metrics.put("embedded_1024B_cpu_us_per_record", cost.cpuNanos() / 1e3 / records);
      metrics.put(
          "embedded_1024B_alloc_bytes_per_record", cost.allocatedBytes() / (double) records);
      metrics.put("profile_records_per_group", perGroup);

      groups.reset();
      long coveredBefore = embedded.log().coveredAcknowledgements();
      Histogram e2e = EventsSuite.latency(embedded, SIZE, 2000, quick ? 3 : 6);
      Histogram g = groups.micros.getIntervalHistogram();
      out.printf(
          Locale.ROOT,
          "latency at 2000 rec/s: e2e p50 %d us, p99 %d us, p99.9 %d us, max %d us;"
              + " group commit (%d groups, %.2f records each) p50 %d us, p99 %d us, p99.9 %d us,"
              + " max %d us; %d groups acknowledged by a later group's fsync%n",
          e2e.getValueAtPercentile(50),
          e2e.getValueAtPercentile(99),
          e2e.getValueAtPercentile(99.9),
          e2e.getMaxValue(),
          g.getTotalCount(),
          groups.records.sum() / (double) Math.max(1, groups.groups.sum()),
          g.getValueAtPercentile(50),
          g.getValueAtPercentile(99),
          g.getValueAtPercentile(99.9),
          g.getMaxValue(),
          embedded.log().coveredAcknowledgements() - coveredBefore);
      metrics.put("embedded_1024B_p99_us", (double) e2e.getValueAtPercentile(99));
      metrics.put("embedded_1024B_p999_us", (double) e2e.getValueAtPercentile(99.9));
      metrics.put(
          "embedded_1024B_p99_minus_fsync_p99_us",
          e2e.getValueAtPercentile(99) - disk.fsyncP99Micros());
      metrics.put("profile_group_commit_p50_us", (double) g.getValueAtPercentile(50));
      metrics.put("profile_group_commit_p99_us", (double) g.getValueAtPercentile(99));
    }
    return new BenchResult("events", metrics, metrics.get("disk_share_1024B"));
  }

  private static String key(String threadName) {
    return threadName.replaceAll("[^A-Za-z0-9]+", "_");
  }

  /** CPU nanoseconds so far of every live thread, summed by name. */
  private static Map<String, Long> threadCpu() {
    var mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> byName = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = mx.getThreadCpuTime(t.threadId());
      if (cpu > 0) {
        byName.merge(t.getName(), cpu, Long::sum);
      }
    }
    return byName;
  }
}
