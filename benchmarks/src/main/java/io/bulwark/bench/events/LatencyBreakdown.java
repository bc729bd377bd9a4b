package io.bulwark.bench.events;

import io.bulwark.bench.BenchResult;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicSpec;
import io.bulwark.events.internal.embedded.EmbeddedEventLog;
import io.bulwark.events.internal.embedded.EmbeddedEventLog.GroupStages;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code bulwark bench events --latency-breakdown}: where a lone 1 KiB record's time goes at 2,000
 * records/s on the embedded log (one producer, one partition, one consumer, fsync per group). Every
 * group commit's stage times come from the log ({@link EmbeddedEventLog#traceGroupCommits}); each
 * record past the first second is matched with its group by offset and its latency split into
 * stages: send to the writer taking its group (hand-off and writer wake-up), encode, waiting for a
 * free sync lane, write, hand-off to the lane, the group's own fsync, its wait for the in-order
 * acknowledgement, or (a covered group) its write to publication, then publication to the
 * consumer's poll returning it. Per stage: count, mean, p50, p99, p99.9, max (µs) and how many
 * records spent over 100 µs in it, beside the disk probe's 4 KiB fsync on the same file system.
 * Percentiles of stages do not add up to the end-to-end percentile; they show which stage's tail is
 * the end-to-end tail.
 */
final class LatencyBreakdown {
  private static final int SIZE = 1024;
  private static final int RATE = 2000;

  private LatencyBreakdown() {}

  static BenchResult run(Path base, boolean quick, PrintStream out) throws Exception {
    DiskProbe.Figures disk = DiskProbe.measure(base);
    out.printf(
        Locale.ROOT,
        "disk: sequential write %.0f MB/s, fsync(4 KiB) p50 %.0f us, p99 %.0f us%n",
        disk.seqWriteMBps(),
        disk.fsyncMedianMicros(),
        disk.fsyncP99Micros());
    int seconds = quick ? 3 : 6;
    int total = RATE * (seconds + 1);
    long[] received = new long[total];
    long[] sent = new long[total];
    ConcurrentLinkedQueue<GroupStages> groups = new ConcurrentLinkedQueue<>();
    AtomicLong count = new AtomicLong();
    DeviceCounts deviceBefore = new DeviceCounts(0, 0);
    DeviceCounts device = new DeviceCounts(0, 0);
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(EmbeddedLogConfig.builder(base.resolve("breakdown")).build())) {
      log.createTopic(TopicSpec.of("lat", 1));
      log.traceGroupCommits(groups::add);
      AtomicBoolean running = new AtomicBoolean(true);
      Consumer consumer =
          log.consumer(
              ConsumerConfig.builder("breakdown")
                  .startFrom(ConsumerConfig.StartFrom.EARLIEST)
                  .build());
      consumer.subscribe(List.of("lat"));
      Thread reader =
          Thread.ofPlatform()
              .name("breakdown-consumer")
              .start(
                  () -> {
                    while (running.get() && count.get() < total) {
                      List<EventRecord> polled = consumer.poll(Duration.ofMillis(50));
                      long now = System.nanoTime();
                      for (EventRecord r : polled) {
                        int o = (int) r.offset();
                        if (o < total) {
                          received[o] = now;
                          sent[o] = ByteBuffer.wrap(Objects.requireNonNull(r.value())).getLong();
                          count.incrementAndGet();
                        }
                      }
                    }
                    consumer.close();
                  });
      try (Producer producer =
          log.producer(ProducerConfig.builder().propagateContext(false).build())) {
        byte[] value = new byte[SIZE];
        new Random(1).nextBytes(value);
        long interval = 1_000_000_000L / RATE;
        deviceBefore = DeviceCounts.of(base);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
          long due = start + i * interval;
          long now;
          while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
          }
          byte[] v = value.clone();
          ByteBuffer.wrap(v).putLong(System.nanoTime());
          var unused = producer.send(OutgoingRecord.builder("lat").value(v).partition(0).build());
        }
        producer.flush();
      }
      device = DeviceCounts.of(base).minus(deviceBefore);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (count.get() < total && System.nanoTime() < end) {
        LockSupport.parkNanos(1_000_000);
      }
      running.set(false);
      reader.join();
      log.traceGroupCommits(null);
    }
    return report(disk, groups, sent, received, device, out);
  }

  private static final String[] STAGES = {
    "send_to_writer", // the producer's hand-off, the writer's wake-up, earlier groups' work
    "encode",
    "lane_wait", // every sync lane busy
    "write",
    "to_lane", // hand-off to the sync lane and its wake-up (groups not covered)
    "fsync", // the group's own fsync (groups not covered)
    "inorder_ack", // own fsync returned to published: the in-order wait, publish
    "covered", // written to published, for groups a later fsync covered
    "to_consumer", // published to the consumer's poll returning the record
    "e2e"
  };

  private static BenchResult report(
      DiskProbe.Figures disk,
      ConcurrentLinkedQueue<GroupStages> traced,
      long[] sent,
      long[] received,
      DeviceCounts device,
      PrintStream out) {
    GroupStages[] groups = traced.toArray(new GroupStages[0]);
    Arrays.sort(groups, Comparator.comparingLong(GroupStages::endOffset));
    long[] ends = new long[groups.length];
    for (int k = 0; k < groups.length; k++) {
      ends[k] = groups[k].endOffset();
    }
    Map<String, Histogram> h = new LinkedHashMap<>();
    for (String s : STAGES) {
      h.put(s, new Histogram(60_000_000L, 3));
    }
    long warmupEnd = sent.length > 0 && sent[0] != 0 ? sent[0] + TimeUnit.SECONDS.toNanos(1) : 0;
    List<GroupStages> seen = new ArrayList<>();
    int records = 0;
    int unmatched = 0;
    for (int o = 0; o < sent.length; o++) {
      if (received[o] == 0 || sent[o] < warmupEnd) {
        continue;
      }
      int k = Arrays.binarySearch(ends, o + 1L);
      if (k < 0) {
        k = -k - 1; // the first group ending after o
      }
      if (k >= groups.length) {
        unmatched++;
        continue;
      }
      GroupStages g = groups[k];
      records++;
      if (seen.isEmpty() || seen.get(seen.size() - 1) != g) {
        seen.add(g);
      }
      record(h, "send_to_writer", g.closed() - sent[o]);
      record(h, "encode", g.encoded() - g.closed());
      record(h, "lane_wait", g.laneFree() - g.encoded());
      record(h, "write", g.written() - g.laneFree());
      if (g.covered()) {
        // its lane may not have begun its own fsync yet when a later one covered it
        record(h, "covered", g.published() - g.written());
      } else {
        record(h, "to_lane", g.fsyncStart() - g.written());
        record(h, "fsync", g.fsyncEnd() - g.fsyncStart());
        record(h, "inorder_ack", g.published() - g.fsyncEnd());
      }
      record(h, "to_consumer", received[o] - g.published());
      record(h, "e2e", received[o] - sent[o]);
    }
    long covered = seen.stream().filter(GroupStages::covered).count();
    out.printf(
        Locale.ROOT,
        "latency breakdown at %d rec/s: %d records in %d group commits (%d covered by a later"
            + " fsync), %d unmatched; us per record:%n",
        RATE,
        records,
        seen.size(),
        covered,
        unmatched);
    out.printf(
        Locale.ROOT,
        "  %-15s %8s %9s %9s %9s %9s %9s %8s%n",
        "stage",
        "count",
        "mean",
        "p50",
        "p99",
        "p99.9",
        "max",
        ">100us");
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("disk_fsync_p50_us", disk.fsyncMedianMicros());
    metrics.put("disk_fsync_p99_us", disk.fsyncP99Micros());
    for (Map.Entry<String, Histogram> e : h.entrySet()) {
      Histogram x = e.getValue();
      out.printf(
          Locale.ROOT,
          "  %-15s %8d %9.0f %9d %9d %9d %9d %8d%n",
          e.getKey(),
          x.getTotalCount(),
          x.getMean(),
          x.getValueAtPercentile(50),
          x.getValueAtPercentile(99),
          x.getValueAtPercentile(99.9),
          x.getMaxValue(),
          x.getCountBetweenValues(101, Long.MAX_VALUE / 4));
      metrics.put("breakdown_" + e.getKey() + "_mean_us", x.getMean());
      metrics.put("breakdown_" + e.getKey() + "_p50_us", (double) x.getValueAtPercentile(50));
      metrics.put("breakdown_" + e.getKey() + "_p99_us", (double) x.getValueAtPercentile(99));
    }
    Histogram e2e = Objects.requireNonNull(h.get("e2e"));
    double overFsync = e2e.getValueAtPercentile(99) - disk.fsyncP99Micros();
    out.printf(Locale.ROOT, "  e2e p99 - probe fsync p99 = %.0f us (target <= 500)%n", overFsync);
    double groupCount = Math.max(1, seen.size());
    out.printf(
        Locale.ROOT,
        "  device (whole disk, other processes included): %.2f write requests, %.2f flushes per"
            + " group commit%n",
        device.writes() / groupCount,
        device.flushes() / groupCount);
    metrics.put("breakdown_device_writes_per_group", device.writes() / groupCount);
    metrics.put("breakdown_device_flushes_per_group", device.flushes() / groupCount);
    metrics.put("breakdown_groups", (double) seen.size());
    metrics.put("breakdown_covered_groups", (double) covered);
    metrics.put("embedded_1024B_p99_minus_fsync_p99_us", overFsync);
    return new BenchResult("events", metrics, overFsync);
  }

  private static void record(Map<String, Histogram> h, String stage, long nanos) {
    Objects.requireNonNull(h.get(stage))
        .recordValue(Math.max(0, Math.min(60_000_000L, nanos / 1000)));
  }
}
