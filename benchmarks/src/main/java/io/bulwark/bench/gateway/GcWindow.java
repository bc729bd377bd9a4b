package io.bulwark.bench.gateway;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The collector pauses of the gateway child over a window of time (between two questions from the
 * parent): how many, their total and the longest, plus the JIT's compile time in the window. Pauses
 * are the JVM's own per-collection notifications of its pause collectors (for G1: young and mixed
 * collections, full collections, and the concurrent cycle's remark and cleanup pauses; ZGC's and
 * Shenandoah's "Cycles" beans, which time concurrent work, are left out; so are collections asked
 * for by {@code System.gc()}, which only the benchmark's own JVM makes, between slices), in the
 * whole milliseconds the JVM reports them. Counts are robust on a busy machine; durations are not.
 */
record GcWindow(long pauses, long totalMillis, long maxMillis, long jitMillis) {
  static final String COMMAND = "gc";
  static final String PREFIX = "GC ";
  private static final String EXPLICIT = "System.gc()";

  String format() {
    return String.format(
        Locale.ROOT,
        "%spauses=%d total_ms=%d max_ms=%d jit_ms=%d",
        PREFIX,
        pauses,
        totalMillis,
        maxMillis,
        jitMillis);
  }

  static GcWindow parse(String line) {
    long[] v = new long[4];
    String[] keys = {"pauses=", "total_ms=", "max_ms=", "jit_ms="};
    for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
      for (int i = 0; i < keys.length; i++) {
        if (part.startsWith(keys[i])) {
          v[i] = Long.parseLong(part.substring(keys[i].length()));
        }
      }
    }
    return new GcWindow(v[0], v[1], v[2], v[3]);
  }

  /** Several windows as one: counts and totals added, the longest pause kept. */
  GcWindow plus(GcWindow o) {
    return new GcWindow(
        pauses + o.pauses,
        totalMillis + o.totalMillis,
        Math.max(maxMillis, o.maxMillis),
        jitMillis + o.jitMillis);
  }

  static GcWindow none() {
    return new GcWindow(0, 0, 0, 0);
  }

  /**
   * This JVM's collectors and heap, one line: e.g. {@code JVM gc=G1 Young Generation,G1 Old
   * Generation max_heap_mb=6028 young_committed_mb=24}.
   */
  static String describeJvm() {
    List<String> names = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      names.add(gc.getName());
    }
    long young = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      String n = pool.getName().toLowerCase(Locale.ROOT);
      if (pool.getType() == MemoryType.HEAP && (n.contains("eden") || n.contains("survivor"))) {
        young += Math.max(0, pool.getUsage().getCommitted());
      }
    }
    return String.format(
        Locale.ROOT,
        "JVM gc=%s max_heap_mb=%d young_committed_mb=%d",
        String.join(",", names),
        Runtime.getRuntime().maxMemory() >> 20,
        young >> 20);
  }

  /** Counts this JVM's pauses as they end; {@link #takeWindow} returns and restarts the window. */
  static final class Recorder {
    private final AtomicLong pauses = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();
    private long jitAtWindowStart = jitMillis();

    static Recorder start() {
      Recorder r = new Recorder();
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc.getName().contains("Cycles") || !(gc instanceof NotificationEmitter emitter)) {
          continue;
        }
        emitter.addNotificationListener(
            (notification, handback) -> {
              if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                      notification.getType())
                  && notification.getUserData() instanceof CompositeData data) {
                GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from(data);
                // notifications come later, from another thread: a collection the benchmark asked
                // for between slices would otherwise be counted in the next slice
                if (!EXPLICIT.equals(info.getGcCause())) {
                  r.record(info.getGcInfo().getDuration());
                }
              }
            },
            null,
            null);
      }
      return r;
    }

    private void record(long millis) {
      pauses.incrementAndGet();
      total.addAndGet(millis);
      max.accumulateAndGet(millis, Math::max);
    }

    synchronized GcWindow takeWindow() {
      long jit = jitMillis();
      GcWindow w =
          new GcWindow(
              pauses.getAndSet(0), total.getAndSet(0), max.getAndSet(0), jit - jitAtWindowStart);
      jitAtWindowStart = jit;
      return w;
    }

    private static long jitMillis() {
      var jit = ManagementFactory.getCompilationMXBean();
      return jit != null && jit.isCompilationTimeMonitoringSupported()
          ? jit.getTotalCompilationTime()
          : 0;
    }
  }
}
