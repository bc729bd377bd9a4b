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
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The single writer of the embedded log, doing group commit: it takes every task waiting in its
 * queue (producer batches, which it seals as it takes them, single appends of transactions, and
 * control actions; up to about {@value #MAX_GROUP} records or {@value #MAX_GROUP_BYTES} bytes),
 * encodes one batch per producer run per partition into one reused direct buffer, writes each
 * partition's batches with one gathering write, fsyncs every touched file once, and only then makes
 * the records visible and completes their futures. Appends that arrive during an fsync form the
 * next group, so the number of fsyncs per second stays bounded by the disk while throughput grows
 * with concurrency.
 *
 * <p>Design notes: a group is handled in two stages by one thread. The log has {@code LANES + 1}
 * worker threads that take turns as the writer (leader/follower): the writer encodes a group (CPU
 * only: no file is touched), waits until one of the {@link GroupSyncer}'s lanes is free, writes the
 * group and assigns it to that lane, gives up the writer's role and then fsyncs and acknowledges
 * its group itself: no thread hand-off between a group's write and its fsync. An idle worker is
 * woken to take the role only when a task is queued while no worker holds it (a producer's send, or
 * the writer finding the queue not empty as it gives the role up); otherwise the worker takes the
 * role back after its fsync, so a lightly loaded log runs each group on one thread, woken once. So
 * the write of group N+1 overlaps the fsync of group N, and a group written during a slow fsync
 * starts its own fsync on a free lane without waiting for it. A group is acknowledged only after
 * every earlier group (write order) and after its own fsync, or a later group's fsync of the same
 * files that returned first ({@link GroupSyncer}); a failed fsync marks its partition failed,
 * truncates it back to where the group began (under {@link #files}, so no write races it) and fails
 * the group, and every later group of that partition, already written or not, fails at its turn:
 * nothing written after a failed fsync is acknowledged.
 *
 * <p>Futures complete on the log's worker threads: dependent actions must be quick. "The writer
 * thread" below means whichever worker holds the writer's role ({@link #role}, whose hand-over
 * orders everything one writer did before the next writer's work).
 */
final class LogWriter implements Runnable {
  /** Something for the writer thread to do. */
  sealed interface Task permits Append, AppendAll, Control, ProducerBatch {}

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

  /** Record bytes after which a group stops taking more appends (the rest form the next group). */
  private static final long MAX_GROUP_BYTES = 8L << 20;

  private static final int BUFFER_BYTES = 1 << 20;
  private static final int KEPT_BUFFER_BYTES = 16 << 20;

  /** Test hook: told after each partition's fsync, before that partition's appends are acked. */
  interface SyncObserver {
    void synced(TopicPartition tp, long durableEnd);
  }

  /**
   * Test hook: runs on the sync lane just before a partition's fsync; may block (a slow fsync) or
   * throw (a failed one). {@code end} is the offset after the group's last record.
   */
  interface ForceHook {
    void beforeForce(TopicPartition tp, long end, int lane) throws IOException;

    /** Told after that fsync returned successfully, before anything is acknowledged. */
    default void afterForce(TopicPartition tp, long end, int lane) {}
  }

  /**
   * Benchmark hook: told on the acknowledging thread, after a group is published and before its
   * futures complete, when each stage of the group began or ended ({@link Clock#nanoTime}).
   */
  interface GroupTrace {
    void traced(EmbeddedEventLog.GroupStages stages);
  }

  private static final SyncObserver NO_OBSERVER = (tp, end) -> {};
  private static final ForceHook NO_HOOK = (tp, end, lane) -> {};

  private final Queue<Task> queue = new ConcurrentLinkedQueue<>();
  private volatile boolean waiting;

  /** The writer's role: held by one worker at a time, given up before it syncs its group. */
  private final AtomicBoolean role = new AtomicBoolean(true); // the first worker starts with it

  /** The worker holding the writer's role (a producer wakes it when it waits for tasks). */
  private volatile Thread leader;

  /**
   * Per worker, 1 while it is parked waiting for the role: set before it re-checks whether it is
   * needed, so whoever queues a task or frees the role afterwards sees the flag and wakes it.
   */
  private final AtomicIntegerArray idle = new AtomicIntegerArray(GroupSyncer.LANES + 1);

  /** Set by the last writer after the final flush: every worker then ends. */
  private volatile boolean finished;

  private final EmbeddedLogConfig config;
  private final EventLogListener listener;
  private final Clock clock;
  private final Runnable afterPublish;
  private final Runnable periodic;
  private volatile boolean running = true;
  private final Thread[] threads = new Thread[GroupSyncer.LANES + 1];
  private final GroupSyncer syncer;
  private volatile SyncObserver syncObserver = NO_OBSERVER;
  private volatile ForceHook forceHook = NO_HOOK;
  private volatile @Nullable GroupTrace groupTrace;

  /**
   * Held by the writer while it writes a group and by a sync lane while it truncates a failed one,
   * so a truncation never races a write of the same file.
   */
  private final ReentrantLock files = new ReentrantLock();

  /** Where the writer thread encodes a group's batches; reused from group to group. */
  private ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);

  LogWriter(EmbeddedLogConfig config, Runnable afterPublish, Runnable periodic) {
    this.config = config;
    this.listener = config.listener();
    this.clock = config.clock();
    this.afterPublish = afterPublish;
    this.periodic = periodic;
    for (int k = 0; k < threads.length; k++) {
      String name = k == 0 ? "bulwark-log-sync" : "bulwark-log-sync-" + (k + 1);
      threads[k] = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
    }
    this.leader = threads[0];
    this.syncer = new GroupSyncer(threads);
  }

  void start() {
    for (Thread t : threads) {
      t.start();
    }
  }

  private boolean isWorker(Thread t) {
    for (Thread w : threads) {
      if (w == t) {
        return true;
      }
    }
    return false;
  }

  /** Installs a test hook that sees every fsync before the appends it covers are acknowledged. */
  void observeSyncs(SyncObserver observer) {
    this.syncObserver = observer;
  }

  /** Whether the writer thread is waiting for a sync lane (test hook: the writer is held). */
  boolean waitsForSyncLane() {
    for (Thread t : threads) {
      if (syncer.waitsForRoom(t)) {
        return true;
      }
    }
    return false;
  }

  /** Groups acknowledged through a later group's fsync before their own returned. */
  long coveredAcks() {
    return syncer.coveredAcks();
  }

  /** Installs (or, with null, removes) a hook told every group's stage times. */
  void traceGroups(@Nullable GroupTrace trace) {
    this.groupTrace = trace;
  }

  /** Installs a test hook that runs before every group fsync (it may block or fail it). */
  void hookForces(ForceHook hook) {
    this.forceHook = hook;
  }

  void submit(Task task) {
    if (!running) {
      throw new EventLogException("the event log is closed");
    }
    queue.add(task);
    if (waiting) {
      LockSupport.unpark(leader);
    } else if (!role.get()) {
      wakeIdle(false); // the writer is syncing its group: another worker writes this one
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
    if (isWorker(Thread.currentThread())) {
      throw new IllegalStateException(
          "flush/control called on the log's writer thread (from a send callback): would deadlock");
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(new Control(action, done));
    done.join();
  }

  void shutdown() {
    running = false;
    LockSupport.unpark(leader);
    wakeIdle(false); // if no worker holds the role, one takes it to finish
    long deadline = System.nanoTime() + 10_000_000_000L;
    try {
      for (Thread t : threads) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          t.join(java.time.Duration.ofNanos(left));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A worker's loop: waits for the writer's role; as the writer, takes and writes groups until one
   * is assigned to a lane, then passes the role on and syncs that lane itself.
   */
  @Override
  public void run() {
    List<Task> group = new ArrayList<>();
    int me = indexOf(Thread.currentThread());
    boolean holding = me == 0; // the role's first holder
    while (true) {
      if (!holding && !lead(me)) {
        return;
      }
      holding = false;
      GroupSyncer.@Nullable Slot mine = null;
      try {
        leader = Thread.currentThread();
        while (mine == null && (running || !queue.isEmpty())) {
          mine = step(group);
        }
        if (mine == null) {
          syncer.awaitIdle(); // the last writer: every lane is done
          finished = true;
          List<Task> rest = new ArrayList<>(queue);
          queue.clear();
          fail(rest, new EventLogException("the event log is closed"));
          return;
        }
      } finally {
        giveUpRole();
      }
      syncer.sync(mine); // the next writer, if a task waits, goes on meanwhile
    }
  }

  private int indexOf(Thread t) {
    for (int k = 0; k < threads.length; k++) {
      if (threads[k] == t) {
        return k;
      }
    }
    throw new IllegalStateException(t + " is not a worker of this log");
  }

  /**
   * Takes the writer's role, parking while another worker holds it and nothing needs this one;
   * false once the log has finished.
   */
  private boolean lead(int me) {
    while (true) {
      if (finished) {
        return false;
      }
      if (role.compareAndSet(false, true)) {
        if (finished) {
          giveUpRole();
          return false;
        }
        return true;
      }
      idle.set(me, 1);
      if (!finished && (role.get() || (queue.isEmpty() && running))) {
        LockSupport.park(idle); // woken by wakeIdle: a task waits and no worker holds the role
      }
      idle.set(me, 0);
    }
  }

  /** Frees the writer's role; wakes an idle worker to take it if a task already waits. */
  private void giveUpRole() {
    role.set(false);
    if (finished) {
      wakeIdle(true);
    } else if (!queue.isEmpty() || !running) {
      wakeIdle(false);
    }
  }

  /** Unparks one idle worker (every one, with {@code all}). */
  private void wakeIdle(boolean all) {
    for (int k = 0; k < threads.length; k++) {
      if (idle.get(k) != 0 && idle.compareAndSet(k, 1, 0)) {
        LockSupport.unpark(threads[k]);
        if (!all) {
          return;
        }
      }
    }
  }

  /**
   * Takes and handles one group as the writer; returns the lane it left for this worker, if any.
   */
  private GroupSyncer.@Nullable Slot step(List<Task> group) {
    try {
      periodic.run(); // cheap unless due (retention): runs under load too
      Task first = take();
      if (first == null) {
        return null;
      }
      group.add(first);
      long records = recordsOf(first);
      long bytes = bytesOf(first);
      Task next;
      while (records < MAX_GROUP && bytes < MAX_GROUP_BYTES && (next = poll()) != null) {
        group.add(next);
        records += recordsOf(next);
        bytes += bytesOf(next);
      }
      return process(group);
    } catch (RuntimeException e) {
      syncer.awaitIdle(); // appends the sync lanes acknowledge stay acknowledged
      fail(group, e);
      return null;
    } finally {
      for (Task t : group) {
        if (t instanceof ProducerBatch b) {
          b.drop(); // its records are in the partition writes (or failed)
        }
      }
      group.clear();
    }
  }

  private static long bytesOf(Task t) {
    return switch (t) {
      case Append a -> a.entry().encodedSize();
      case ProducerBatch b -> b.encodedBytes();
      case AppendAll all -> 0;
      case Control c -> 0;
    };
  }

  private static long recordsOf(Task t) {
    return t instanceof ProducerBatch b ? b.count() : 1;
  }

  /** The next queued task; a producer's batch is sealed as it is taken (no record joins later). */
  private @Nullable Task poll() {
    Task t = queue.poll();
    if (t instanceof ProducerBatch b) {
      b.seal();
    }
    return t;
  }

  /** The next task, parking up to 100 ms for one; null if none came. */
  private @Nullable Task take() {
    Task t = poll();
    if (t != null) {
      return t;
    }
    waiting = true;
    try {
      t = poll();
      if (t == null && running) {
        LockSupport.parkNanos(100_000_000L);
        t = poll();
      }
    } finally {
      waiting = false;
    }
    return t;
  }

  /**
   * Writes the group; returns the lane holding its last written part, for the caller to sync (parts
   * before a control are synced here: the control waits for them anyway).
   */
  private GroupSyncer.@Nullable Slot process(List<Task> group) {
    IdentityHashMap<PartitionLog, PartitionWrite> byPartition = new IdentityHashMap<>();
    IdentityHashMap<PartitionLog, int[]> counts = countRecords(group);
    for (Task t : group) {
      switch (t) {
        case Control c -> {
          GroupSyncer.Slot before = flushGroup(byPartition);
          byPartition.clear();
          if (before != null) {
            syncer.sync(before);
          }
          syncer.awaitIdle(); // a control runs after every append before it is acknowledged
          runControl(c);
        }
        case Append a -> writeOf(byPartition, counts, a.log()).add(a);
        case AppendAll all -> {
          for (Append a : all.appends()) {
            writeOf(byPartition, counts, a.log()).add(a);
          }
        }
        case ProducerBatch b -> writeOf(byPartition, counts, b.log()).add(b);
      }
    }
    return flushGroup(byPartition);
  }

  /** Records per partition in {@code group}, so each partition write is sized once. */
  private static IdentityHashMap<PartitionLog, int[]> countRecords(List<Task> group) {
    IdentityHashMap<PartitionLog, int[]> counts = new IdentityHashMap<>();
    for (Task t : group) {
      switch (t) {
        case Append a -> counts.computeIfAbsent(a.log(), k -> new int[1])[0]++;
        case AppendAll all -> {
          for (Append a : all.appends()) {
            counts.computeIfAbsent(a.log(), k -> new int[1])[0]++;
          }
        }
        case ProducerBatch b -> counts.computeIfAbsent(b.log(), k -> new int[1])[0] += b.count();
        case Control c -> {}
      }
    }
    return counts;
  }

  private PartitionWrite writeOf(
      Map<PartitionLog, PartitionWrite> byPartition,
      Map<PartitionLog, int[]> counts,
      PartitionLog log) {
    PartitionWrite w = byPartition.get(log);
    if (w == null) {
      int[] n = counts.get(log);
      w = new PartitionWrite(log, n == null ? 16 : n[0]);
      byPartition.put(log, w);
    }
    return w;
  }

  private void runControl(Control c) {
    try {
      c.action().run();
      c.done().complete(null);
    } catch (RuntimeException e) {
      c.done().completeExceptionally(e);
    }
  }

  /** Encodes and writes the group, and assigns it to a lane (returned; null if nothing written). */
  private GroupSyncer.@Nullable Slot flushGroup(Map<PartitionLog, PartitionWrite> byPartition) {
    if (byPartition.isEmpty()) {
      return null;
    }
    long start = clock.nanoTime();
    buffer.clear();
    List<PartitionWrite> encoded = new ArrayList<>(byPartition.size());
    for (PartitionWrite w : byPartition.values()) {
      try {
        w.encode();
        encoded.add(w);
      } catch (RuntimeException ex) {
        syncer.awaitIdle();
        w.abort(ex);
      }
    }
    long encodedAt = clock.nanoTime();
    syncer.awaitRoom(); // at most LANES groups written and not yet acknowledged
    long laneFree = clock.nanoTime();
    List<PartitionWrite> written = new ArrayList<>(encoded.size());
    files.lock();
    try {
      for (PartitionWrite w : encoded) {
        try {
          w.writeOut();
          written.add(w);
        } catch (IOException | RuntimeException ex) {
          w.abort(ex);
        }
      }
    } finally {
      files.unlock();
    }
    if (buffer.capacity() > KEPT_BUFFER_BYTES) {
      buffer = ByteBuffer.allocateDirect(BUFFER_BYTES); // one huge record: do not keep its room
    }
    if (written.isEmpty()) {
      return null;
    }
    return syncer.assign(new SyncJob(written, start, encodedAt, laneFree, clock.nanoTime()));
  }

  /** A written group in a sync lane: its fsyncs, then (in write order) its acknowledgement. */
  private final class SyncJob implements GroupSyncer.Job {
    private final List<PartitionWrite> writes;
    private final boolean fsync = config.durability() == Durability.FSYNC_PER_BATCH;
    private @Nullable Exception[] failures;

    /** Stage times ({@link Clock#nanoTime}): encode start, encoded, lane free, written. */
    private final long start;

    private final long encoded;
    private final long laneFree;
    private final long written;

    /** What {@link #ack} published, for {@link #afterAck} (same thread, after it). */
    private List<PartitionWrite> acked = List.of();

    private long ackedNanos;
    private int ackedBatches;

    /** When its own fsyncs began and returned on its lane (0: not yet). */
    private volatile long forceStart;

    private volatile long forceEnd;

    SyncJob(List<PartitionWrite> writes, long start, long encoded, long laneFree, long written) {
      this.writes = writes;
      this.start = start;
      this.encoded = encoded;
      this.laneFree = laneFree;
      this.written = written;
      @Nullable Exception[] notSynced = new Exception[writes.size()];
      Arrays.fill(notSynced, new IOException("group was never fsynced"));
      this.failures = notSynced;
    }

    @Override
    public void force(int lane) {
      forceStart = clock.nanoTime();
      failures = fsync ? forceAll(writes, lane) : new Exception[writes.size()];
      forceEnd = clock.nanoTime();
    }

    /**
     * Whether every write of {@code earlier} went to a file this group fsynced successfully: its
     * partition's last segment (a roll fsyncs the segments before it on the writer thread).
     */
    @Override
    public boolean covers(GroupSyncer.Job earlier) {
      if (!fsync || !(earlier instanceof SyncJob e)) {
        return false;
      }
      @Nullable Exception[] mine = failures;
      for (PartitionWrite w : e.writes) {
        boolean found = false;
        for (int k = 0; k < writes.size() && !found; k++) {
          PartitionWrite x = writes.get(k);
          found = mine[k] == null && x.log == w.log && x.lastSegment == w.lastSegment;
        }
        if (!found) {
          return false;
        }
      }
      return true;
    }

    /**
     * Publishes each partition whose fsync succeeded (or a later group's fsync covered) and that no
     * earlier group failed, wakes the consumers, then acknowledges the appends: consumers read the
     * new records while the futures complete. Any other partition of the group is failed and
     * truncated.
     */
    @Override
    public void ack(boolean covered) {
      @Nullable Exception[] failed = covered ? new Exception[writes.size()] : failures;
      List<PartitionWrite> durable = new ArrayList<>(writes.size());
      for (int k = 0; k < writes.size(); k++) {
        PartitionWrite w = writes.get(k);
        try {
          Exception f = failed[k];
          if (f != null) {
            throw f;
          }
          w.log.checkWritable(); // an earlier group's fsync of this partition failed meanwhile
          if (fsync) {
            syncObserver.synced(w.log.topicPartition(), w.end);
          }
          w.log.publish(w.end);
          durable.add(w);
        } catch (Exception ex) {
          w.abort(ex);
        }
      }
      afterPublish.run();
      GroupTrace trace = groupTrace;
      if (trace != null && !durable.isEmpty()) {
        PartitionWrite first = durable.get(0);
        long published = clock.nanoTime();
        tell(
            () ->
                trace.traced(
                    new EmbeddedEventLog.GroupStages(
                        first.log.topicPartition(),
                        first.end,
                        start,
                        encoded,
                        laneFree,
                        written,
                        forceStart,
                        covered ? 0 : forceEnd,
                        published,
                        covered)));
      }
      int batches = 0;
      for (PartitionWrite w : durable) {
        w.complete();
        batches += w.batchCount;
      }
      acked = durable;
      ackedNanos = clock.nanoTime() - start;
      ackedBatches = batches;
    }

    /** The group's listener call and page-cache advice: after the acknowledgement lock. */
    @Override
    public void afterAck() {
      List<PartitionWrite> durable = acked;
      long nanos = ackedNanos;
      int batchCount = ackedBatches;
      int partitions = writes.size();
      tell(() -> listener.onGroupCommit(batchCount, partitions, nanos));
      if (fsync) {
        for (PartitionWrite w : durable) {
          w.log.dropBehind(w.lastSegment(), w.endPosition); // after the acks: off their path
        }
      }
    }

    /**
     * The group was acknowledged through a later group's fsync; if its own fsync failed, that
     * failure may have consumed an error of bytes written after the covering fsync, which this
     * lane's next fsync would not report: the partition stops taking appends until reopened. Its
     * later groups fail at their turn (and cut the file back to where the first of them began).
     */
    @Override
    public void forcedAfterCoveredAck() {
      @Nullable Exception[] failed = failures;
      for (int k = 0; k < writes.size(); k++) {
        Exception f = failed[k];
        if (f != null) {
          writes
              .get(k)
              .log
              .markFailed(
                  new EventLogException(
                      "fsync of "
                          + writes.get(k).log.topicPartition()
                          + " failed after a later fsync had made its records durable: "
                          + f,
                      f));
        }
      }
    }
  }

  /**
   * Fsyncs the last segment of every write through lane {@code lane}, the files of different
   * partitions concurrently (one virtual thread per extra partition, so a journal commit can serve
   * several); returns each write's failure or null. Waits for every fsync, failed or not.
   */
  private @Nullable Exception[] forceAll(List<PartitionWrite> writes, int lane) {
    @Nullable Exception[] failures = new Exception[writes.size()];
    if (writes.isEmpty()) {
      return failures; // every partition of the group failed before its write
    }
    List<Thread> helpers = new ArrayList<>(writes.size());
    for (int k = 1; k < writes.size(); k++) {
      int index = k;
      helpers.add(Thread.ofVirtual().start(() -> failures[index] = force(writes.get(index), lane)));
    }
    failures[0] = force(writes.get(0), lane);
    boolean interrupted = false;
    for (Thread t : helpers) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the fsyncs must finish before anything is acknowledged
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return failures;
  }

  private @Nullable Exception force(PartitionWrite w, int lane) {
    try {
      ForceHook hook = forceHook;
      hook.beforeForce(w.log.topicPartition(), w.end, lane);
      w.lastSegment().force(lane);
      hook.afterForce(w.log.topicPartition(), w.end, lane);
      return null;
    } catch (IOException | RuntimeException e) {
      return e;
    }
  }

  /** Room for {@code bytes} more in the encode buffer; earlier batches keep their views. */
  private ByteBuffer room(int bytes) {
    if (buffer.remaining() < bytes) {
      int capacity = Math.max(buffer.capacity() * 2, bytes);
      buffer = ByteBuffer.allocateDirect(capacity); // views of the old buffer stay valid
    }
    return buffer;
  }

  /**
   * The records of one partition in one group, in queue order, as parallel arrays (no object per
   * record beyond the caller's entry and future): single appends and whole producer batches.
   */
  private final class PartitionWrite {
    final PartitionLog log;
    final List<ByteBuffer> batches = new ArrayList<>();

    int size;
    BatchCodec.Entry[] entries;
    CompletableFuture<RecordMetadata>[] futures;
    long[] producerIds;
    int[] sequences;
    @Nullable Semaphore[] permits;

    /** Per record: its offset, -1 if a dropped duplicate (set by {@link #encode}). */
    long @Nullable [] offsets;

    int batchCount;

    /** The offset after this write's last record (set by {@link #writeOut}). */
    long end;

    /** The byte position after this write's last batch in {@link #lastSegment}. */
    long endPosition;

    long startSize;
    @Nullable Segment startSegment;
    @Nullable Segment lastSegment;

    @SuppressWarnings("unchecked")
    PartitionWrite(PartitionLog log, int capacity) {
      this.log = log;
      int n = Math.max(1, capacity);
      this.entries = new BatchCodec.Entry[n];
      this.futures = (CompletableFuture<RecordMetadata>[]) new CompletableFuture<?>[n];
      this.producerIds = new long[n];
      this.sequences = new int[n];
      this.permits = new Semaphore[n];
    }

    void add(Append a) {
      ensureRoom(1);
      set(size++, a.entry(), a.future(), a.producerId(), a.sequence(), a.permits());
    }

    /** Adds a sealed producer batch: its records are one run of consecutive sequences. */
    void add(ProducerBatch b) {
      int n = b.count();
      ensureRoom(n);
      BatchCodec.Entry[] e = b.entries();
      CompletableFuture<RecordMetadata>[] f = b.futures();
      int base = b.baseSequence();
      for (int i = 0; i < n; i++) {
        set(size++, e[i], f[i], b.producerId(), base < 0 ? -1 : base + i, b.permits());
      }
    }

    private void set(
        int k,
        BatchCodec.Entry entry,
        CompletableFuture<RecordMetadata> future,
        long producerId,
        int sequence,
        @Nullable Semaphore permit) {
      entries[k] = entry;
      futures[k] = future;
      producerIds[k] = producerId;
      sequences[k] = sequence;
      permits[k] = permit;
    }

    private void ensureRoom(int more) {
      if (size + more <= entries.length) {
        return;
      }
      int capacity = Math.max(entries.length * 2, size + more);
      entries = Arrays.copyOf(entries, capacity);
      futures = Arrays.copyOf(futures, capacity);
      producerIds = Arrays.copyOf(producerIds, capacity);
      sequences = Arrays.copyOf(sequences, capacity);
      permits = Arrays.copyOf(permits, capacity);
    }

    /** Encodes the batches (writer thread, CPU only: the files are not touched). */
    void encode() {
      log.checkWritable();
      long[] offs = new long[size];
      offsets = offs;
      List<BatchCodec.Entry> list = Arrays.asList(entries).subList(0, size);
      long next = log.nextOffset();
      int i = 0;
      while (i < size) {
        int end = runEnd(i);
        int dup = log.duplicatePrefix(producerIds[i], sequences[i], end - i);
        for (int d = 0; d < dup; d++) {
          offs[i + d] = -1;
          long pid = producerIds[i + d];
          int seq = sequences[i + d];
          tell(() -> listener.onDuplicateDropped(log.topicPartition(), pid, seq));
        }
        int from = i + dup;
        if (from < end) {
          ByteBuffer dst = room(BatchCodec.batchSize(list, from, end));
          batches.add(
              BatchCodec.encodeInto(
                  dst, list, from, end, next, producerIds[from], sequences[from]));
          for (int k = from; k < end; k++) {
            offs[k] = next + (k - from);
          }
          next += end - from;
          batchCount++;
        }
        i = end;
      }
    }

    /** Writes the encoded batches, rolling where a segment fills (writer thread, syncer idle). */
    void writeOut() throws IOException {
      log.checkWritable(); // the previous group's fsync may have failed meanwhile
      Segment first = log.active();
      startSegment = first;
      startSize = first.size();
      List<ByteBuffer> pending = new ArrayList<>(batches.size());
      long pendingBytes = 0;
      for (ByteBuffer batch : batches) {
        if (log.needsRoll(pendingBytes + batch.remaining())) {
          writePending(pending);
          pendingBytes = 0;
          log.roll();
        }
        pending.add(batch);
        pendingBytes += batch.remaining();
      }
      writePending(pending);
      Segment last = log.active();
      lastSegment = last;
      end = log.nextOffset();
      endPosition = last.size();
    }

    Segment lastSegment() {
      Segment s = lastSegment;
      if (s == null) {
        throw new IllegalStateException("synced before it was written");
      }
      return s;
    }

    /**
     * The end (exclusive) of the run starting at {@code i}: one producer, consecutive sequences.
     */
    private int runEnd(int i) {
      long pid = producerIds[i];
      int bytes = entries[i].encodedSize();
      int j = i + 1;
      while (j < size) {
        bytes += entries[j].encodedSize();
        boolean sameRun =
            producerIds[j] == pid && (pid < 0 || sequences[j] == sequences[i] + (j - i));
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
      seg.write(pending.toArray(new ByteBuffer[0]), position);
      for (ByteBuffer b : pending) {
        b.rewind(); // the header is read back from the batch itself
      }
      log.noteWritten(seg, position, pending);
      pending.clear();
    }

    void complete() {
      TopicPartition tp = log.topicPartition();
      long[] offs = offsets;
      if (offs == null) {
        throw new IllegalStateException("completed before it was encoded");
      }
      // permits first: a sender woken by its acknowledgement must find its buffer space back
      Semaphore run = null;
      int owed = 0;
      for (int k = 0; k < size; k++) {
        if (permits[k] != run) {
          release(run, owed);
          run = permits[k];
          owed = 0;
        }
        owed++;
      }
      release(run, owed);
      int bytes = 0;
      for (int k = 0; k < size; k++) {
        BatchCodec.Entry e = entries[k];
        futures[k].complete(
            new RecordMetadata(tp.topic(), tp.partition(), offs[k], e.timestampMillis()));
        bytes += e.encodedSize();
      }
      int records = size;
      int total = bytes;
      tell(() -> listener.onAppend(tp, records, total));
    }

    void abort(Exception cause) {
      EventLogException failure =
          new EventLogException(
              "append to " + log.topicPartition() + " failed, nothing acknowledged: " + cause,
              cause);
      log.markFailed(failure);
      Segment start = startSegment;
      files.lock(); // a sync lane: the writer may be writing a later group of this file
      try {
        if (start != null && log.active() == start && startSize < start.size()) {
          start.truncate(startSize); // this group and every later one written to the file
        }
      } catch (IOException ignored) {
        // the torn tail is truncated by recovery at the next open
      } finally {
        files.unlock();
      }
      for (int k = 0; k < size; k++) {
        if (futures[k].completeExceptionally(failure)) {
          release(permits[k], 1);
        }
      }
    }
  }

  private static void release(@Nullable Semaphore permits, int count) {
    if (permits != null && count > 0) {
      permits.release(count);
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
      } else if (t instanceof ProducerBatch b) {
        b.fail(cause);
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
