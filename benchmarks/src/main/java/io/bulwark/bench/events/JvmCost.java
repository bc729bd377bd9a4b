package io.bulwark.bench.events;

import java.lang.management.ManagementFactory;

/**
 * CPU time and heap bytes this JVM spends between {@link #start()} and {@link #stop()}, summed over
 * intervals: every thread of the process (producer, writer, sync thread, GC, JIT) for CPU, and
 * every live Java thread's allocation. Load from other processes moves these far less than it moves
 * throughput, so they compare builds on a shared machine.
 */
final class JvmCost {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private long cpu;
  private long allocated;
  private long cpuAtStart;
  private long allocatedAtStart;

  void start() {
    cpuAtStart = os.getProcessCpuTime();
    allocatedAtStart = threads.getTotalThreadAllocatedBytes();
  }

  void stop() {
    cpu += os.getProcessCpuTime() - cpuAtStart;
    allocated += threads.getTotalThreadAllocatedBytes() - allocatedAtStart;
  }

  long cpuNanos() {
    return cpu;
  }

  long allocatedBytes() {
    return allocated;
  }
}
