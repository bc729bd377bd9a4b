package io.bulwark.events.internal.embedded;

import io.bulwark.core.time.Clock;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EmbeddedLogConfig.Durability;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The single writer of the embedded log, doing group commit: it takes every append waiting in its
 * queue, encodes one batch per producer run per partition, writes each partition's batches with one
 * gathering write, fsyncs every touched file once, and only then makes the records visible and
 * completes their futures. Appends that arrive during an fsync form the next group, so the number
 * of fsyncs per second stays bounded by the disk while throughput grows with concurrency.
 *
 * <p>Futures complete on the writer thread: dependent actions must be quick.
 */
final class LogWriter implements Runnable {
  /** Something for the writer thread to do. */
  sealed interface Task permits Append, AppendAll, Control {}

  /** One record to append. */
  record Append(
      PartitionLog log,
      BatchCodec.Entry entry,
      long producerId,
      int sequence,
      CompletableFuture<RecordMetadata> future,
      @Nullable Semaphore permits)
      implements Task {
    Append(
        PartitionLog log,
        BatchCodec.Entry entry,
        long producerId,
        int sequence,
        CompletableFuture<RecordMetadata> future) {
      this(log, entry, producerId, sequence, future, null);
    }

    void release() {
      Semaphore p = permits;
      if (p != null) {
        p.release();
      }
    }
  }

  /** Appends queued as one task, so they land in the same group (a transaction's records). */
  record AppendAll(List<Append> appends) implements Task {}

  /** An action run on the writer thread between groups (retention, roll). */
  record Control(Runnable action, CompletableFuture<Void> done) implements Task {}

  private static final int MAX_GROUP = 16_384;

  private final Queue<Task> queue = new ConcurrentLinkedQueue<>();
  private volatile boolean waiting;
  private final EmbeddedLogConfig config;
  private final EventLogListener listener;
  private final Clock clock;
  private final Runnable afterPublish;
  private final Runnable periodic;
  private volatile boolean running = true;
  private final Thread thread;

  LogWriter(EmbeddedLogConfig config, Runnable afterPublish, Runnable periodic) {
    this.config = config;
    this.listener = config.listener();
    this.clock = config.clock();
    this.afterPublish = afterPublish;
    this.periodic = periodic;
    this.thread = Thread.ofPlatform().name("bulwark-log-writer").daemon(true).unstarted(this);
  }

  void start() {
    thread.start();
  }

  void submit(Task task) {
    if (!running) {
      throw new EventLogException("the event log is closed");
    }
    queue.add(task);
    if (waiting) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * Runs {@code action} on the writer thread after every task queued before it, and waits for it.
   * Must not be called from the writer thread (e.g. from a send future callback).
   */
  void control(Runnable action) {
    if (!running) {
      return; // closed: appends still queued at close were failed, nothing is pending
    }
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException(
          "flush/control called on the log's writer thread (from a send callback): would deadlock");
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(new Control(action, done));
    done.join();
  }

  void shutdown() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    List<Task> group = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        periodic.run(); // cheap unless due (retention): runs under load too
        Task first = take();
        if (first == null) {
          continue;
        }
        group.add(first);
        Task next;
        while (group.size() < MAX_GROUP && (next = queue.poll()) != null) {
          group.add(next);
        }
        process(group);
      } catch (RuntimeException e) {
        fail(group, e);
      } finally {
        group.clear();
      }
    }
    List<Task> rest = new ArrayList<>(queue);
    queue.clear();
    fail(rest, new EventLogException("the event log is closed"));
  }

  /** The next task, parking up to 100 ms for one; null if none came. */
  private @Nullable Task take() {
    Task t = queue.poll();
    if (t != null) {
      return t;
    }
    waiting = true;
    try {
      t = queue.poll();
      if (t == null && running) {
        LockSupport.parkNanos(100_000_000L);
        t = queue.poll();
      }
    } finally {
      waiting = false;
    }
    return t;
  }

  private void process(List<Task> group) {
    IdentityHashMap<PartitionLog, List<Append>> byPartition = new IdentityHashMap<>();
    for (Task t : group) {
      if (t instanceof Control c) {
        flushGroup(byPartition);
        byPartition.clear();
        runControl(c);
      } else if (t instanceof Append a) {
        byPartition.computeIfAbsent(a.log(), k -> new ArrayList<>()).add(a);
      } else if (t instanceof AppendAll all) {
        for (Append a : all.appends()) {
          byPartition.computeIfAbsent(a.log(), k -> new ArrayList<>()).add(a);
        }
      }
    }
    flushGroup(byPartition);
  }

  private void runControl(Control c) {
    try {
      c.action().run();
      c.done().complete(null);
    } catch (RuntimeException e) {
      c.done().completeExceptionally(e);
    }
  }

  private void flushGroup(Map<PartitionLog, List<Append>> byPartition) {
    if (byPartition.isEmpty()) {
      return;
    }
    long start = clock.nanoTime();
    List<PartitionWrite> writes = new ArrayList<>(byPartition.size());
    int batches = 0;
    for (Map.Entry<PartitionLog, List<Append>> e : byPartition.entrySet()) {
      PartitionWrite w = new PartitionWrite(e.getKey(), e.getValue());
      try {
        w.write();
        writes.add(w);
        batches += w.batchCount;
      } catch (IOException | RuntimeException ex) {
        w.abort(ex);
      }
    }
    boolean fsync = config.durability() == Durability.FSYNC_PER_BATCH;
    for (PartitionWrite w : writes) {
      try {
        if (fsync) {
          w.log.active().force();
        }
        w.log.publish();
        w.complete();
      } catch (IOException | RuntimeException ex) {
        w.abort(ex);
      }
    }
    long nanos = clock.nanoTime() - start;
    int batchCount = batches;
    tell(() -> listener.onGroupCommit(batchCount, writes.size(), nanos));
    afterPublish.run();
  }

  /** The batches of one partition in one group. */
  private final class PartitionWrite {
    final PartitionLog log;
    final List<Append> appends;
    final List<Append> done = new ArrayList<>();
    final List<long[]> results = new ArrayList<>();
    int batchCount;
    long startSize;
    Segment startSegment;

    PartitionWrite(PartitionLog log, List<Append> appends) {
      this.log = log;
      this.appends = appends;
      this.startSegment = log.active();
      this.startSize = startSegment.size();
    }

    void write() throws IOException {
      log.checkWritable();
      List<BatchCodec.Entry> entries = new ArrayList<>(appends.size());
      for (Append a : appends) {
        entries.add(a.entry());
      }
      List<ByteBuffer> pending = new ArrayList<>();
      long pendingBytes = 0;
      long next = log.nextOffset();
      int i = 0;
      while (i < appends.size()) {
        int end = runEnd(appends, entries, i);
        Append first = appends.get(i);
        int dup = log.duplicatePrefix(first.producerId(), first.sequence(), end - i);
        for (int d = 0; d < dup; d++) {
          Append a = appends.get(i + d);
          done.add(a);
          results.add(new long[] {-1, a.entry().timestampMillis()});
          tell(
              () ->
                  listener.onDuplicateDropped(log.topicPartition(), a.producerId(), a.sequence()));
        }
        int from = i + dup;
        if (from < end) {
          Append head = appends.get(from);
          ByteBuffer batch =
              BatchCodec.encode(entries, from, end, next, head.producerId(), head.sequence());
          if (log.needsRoll(pendingBytes + batch.remaining())) {
            writePending(pending);
            pendingBytes = 0;
            log.roll();
          }
          pending.add(batch);
          pendingBytes += batch.remaining();
          for (int k = from; k < end; k++) {
            done.add(appends.get(k));
            results.add(new long[] {next + (k - from), entries.get(k).timestampMillis()});
          }
          next += end - from;
          batchCount++;
        }
        i = end;
      }
      writePending(pending);
    }

    /**
     * The end (exclusive) of the run starting at {@code i}: one producer, consecutive sequences.
     */
    private int runEnd(List<Append> appends, List<BatchCodec.Entry> entries, int i) {
      Append first = appends.get(i);
      int bytes = entries.get(i).encodedSize();
      int j = i + 1;
      while (j < appends.size()) {
        Append a = appends.get(j);
        bytes += entries.get(j).encodedSize();
        boolean sameRun =
            a.producerId() == first.producerId()
                && (first.producerId() < 0 || a.sequence() == first.sequence() + (j - i));
        if (!sameRun || bytes > config.maxBatchBytes()) {
          break;
        }
        j++;
      }
      return j;
    }

    private void writePending(List<ByteBuffer> pending) throws IOException {
      if (pending.isEmpty()) {
        return;
      }
      Segment seg = log.active();
      long position = seg.size();
      List<ByteBuffer> copies = new ArrayList<>(pending.size());
      for (ByteBuffer b : pending) {
        copies.add(b.duplicate());
      }
      seg.write(pending.toArray(new ByteBuffer[0]), position);
      log.noteWritten(seg, position, copies);
      pending.clear();
    }

    void complete() {
      TopicPartition tp = log.topicPartition();
      int bytes = 0;
      for (int k = 0; k < done.size(); k++) {
        long[] r = results.get(k);
        Append a = done.get(k);
        a.future().complete(new RecordMetadata(tp.topic(), tp.partition(), r[0], r[1]));
        a.release();
        bytes += a.entry().encodedSize();
      }
      int records = done.size();
      int total = bytes;
      tell(() -> listener.onAppend(tp, records, total));
    }

    void abort(Exception cause) {
      EventLogException failure =
          new EventLogException(
              "append to " + log.topicPartition() + " failed, nothing acknowledged: " + cause,
              cause);
      log.markFailed(failure);
      try {
        if (log.active() == startSegment) {
          startSegment.truncate(startSize);
        }
      } catch (IOException ignored) {
        // the torn tail is truncated by recovery at the next open
      }
      for (Append a : appends) {
        if (a.future().completeExceptionally(failure)) {
          a.release();
        }
      }
    }
  }

  private static void fail(List<Task> tasks, RuntimeException cause) {
    for (Task t : tasks) {
      if (t instanceof Append a) {
        if (a.future().completeExceptionally(cause)) {
          a.release();
        }
      } else if (t instanceof Control c) {
        c.done().completeExceptionally(cause);
      } else if (t instanceof AppendAll all) {
        fail(new ArrayList<Task>(all.appends()), cause);
      }
    }
  }

  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ignored) {
      // listeners must not throw; the log ignores it if they do
    }
  }
}
