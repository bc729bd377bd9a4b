package io.bulwark.events.internal.embedded;

import io.bulwark.events.TopicPartition;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer fsync hook for the lane tests: holds the first {@code fail.length} fsyncs (in the order
 * they start) until each is released, then lets each pass or fails it ({@code fail[k]}); later
 * fsyncs pass at once. Records what happened in order, each fsync's lane and the threads that ran
 * them.
 */
final class HeldFsyncs implements LogWriter.ForceHook, AutoCloseable {
  final CountDownLatch[] entered;
  final CountDownLatch[] release;
  final boolean[] fail;
  final AtomicInteger calls = new AtomicInteger();
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<Integer> lanes = new CopyOnWriteArrayList<>();
  final Set<Thread> fsyncThreads = ConcurrentHashMap.newKeySet();
  final CountDownLatch[] returned;

  HeldFsyncs(boolean... fail) {
    this.fail = fail;
    this.entered = latches(fail.length);
    this.release = latches(fail.length);
    this.returned = latches(fail.length + 4);
  }

  private static CountDownLatch[] latches(int n) {
    CountDownLatch[] l = new CountDownLatch[n];
    for (int i = 0; i < n; i++) {
      l[i] = new CountDownLatch(1);
    }
    return l;
  }

  private final ThreadLocal<Integer> current = new ThreadLocal<>();

  @Override
  public void beforeForce(TopicPartition tp, long end, int lane) throws IOException {
    int k = calls.getAndIncrement();
    current.set(k);
    lanes.add(lane);
    fsyncThreads.add(Thread.currentThread());
    events.add("fsync " + k + " entered, " + tp + " end " + end);
    if (k >= fail.length) {
      return;
    }
    entered[k].countDown();
    try {
      release[k].await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (fail[k]) {
      events.add("fsync " + k + " failed");
      throw new IOException("simulated fsync failure (EIO)");
    }
  }

  /** Lets every held fsync go (closed before the log: a failing test must not hang its close). */
  @Override
  public void close() {
    releaseAll();
  }

  void releaseAll() {
    for (CountDownLatch l : release) {
      l.countDown();
    }
  }

  @Override
  public void afterForce(TopicPartition tp, long end, int lane) {
    int k = current.get();
    events.add("fsync " + k + " returned");
    if (k < returned.length) {
      returned[k].countDown();
    }
  }
}
