package io.bulwark.bench.saga;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time spent so far by the bench's own JVM and by its child processes (the PostgreSQL server
 * that {@code PostgresTestServer} started: postmaster, backends, background workers). Over a
 * measured window divided by the sagas it completed, CPU per saga is a figure that holds on a busy
 * machine, where sagas per second do not: a side that needs less CPU per saga gets more sagas out
 * of two shared cores.
 */
record Cpu(long jvmNanos, long childrenNanos) {

  /** Now; children are this process's live descendants (a backend lives as long as its pool). */
  static Cpu now() {
    long jvm = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      jvm = os.getProcessCpuTime();
    }
    long children =
        ProcessHandle.current()
            .descendants()
            .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
            .sum();
    return new Cpu(jvm, children);
  }

  /** CPU from {@code before} to this, per saga, in microseconds: {@code [jvm, children]}. */
  double[] microsPerSaga(Cpu before, long sagas) {
    long n = Math.max(1, sagas);
    return new double[] {
      (jvmNanos - before.jvmNanos) / 1e3 / n, (childrenNanos - before.childrenNanos) / 1e3 / n
    };
  }
}
