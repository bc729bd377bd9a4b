package io.bulwark.events.internal.embedded;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The second stage of the writer's group commit: fsyncs written groups and acknowledges them on
 * {@value #LANES} sync threads (lanes), so that the writer writes group N+1 while group N's fsync
 * runs, and a group written during a slow fsync starts its own fsync at once instead of queueing
 * behind it.
 *
 * <p>Design notes: the writer numbers the groups it hands over; group {@code s} goes to lane {@code
 * s % LANES}, which holds one group at a time, so at most {@value #LANES} groups are written but
 * not yet acknowledged, and the writer waits ({@link #awaitRoom}) before writing another. A lane
 * first runs its group's fsyncs ({@link Job#force}, concurrently with the other lane's), then waits
 * for its turn and runs {@link Job#ack}: acknowledgements happen strictly in write order, and a
 * group checks at its turn whether an earlier group of the same partition failed. Each lane fsyncs
 * through its own file descriptor ({@link Segment#force(int)}), so a write-back error is reported
 * to every fsync that waited on the failed pages, never consumed by the other lane's call. Every
 * thread parks rather than spins; every wait re-checks its condition after the state it waits on is
 * written and before the unpark, so a stray unpark is harmless and a missed one is impossible.
 */
final class GroupSyncer {
  private static final System.Logger LOG = System.getLogger(GroupSyncer.class.getName());

  /** Sync threads, hence the most groups written and not yet acknowledged. */
  static final int LANES = 2;

  /** One written group: its fsyncs (any lane, concurrently) and its acknowledgement (in order). */
  interface Job {
    /** Fsyncs what the group wrote, through lane {@code lane}'s descriptors; never throws. */
    void force(int lane);

    /** Publishes and acknowledges the group, or fails it; runs after every earlier group's. */
    void ack();
  }

  private final Thread[] threads = new Thread[LANES];
  private final Thread writer;
  private final AtomicReferenceArray<@Nullable Job> slots = new AtomicReferenceArray<>(LANES);

  /** The number of the next group to hand over (written by the writer thread only). */
  private volatile long submitted;

  /** The number of the next group to acknowledge. */
  private volatile long acked;

  private volatile boolean running = true;

  GroupSyncer(Thread writer) {
    this.writer = writer;
    for (int lane = 0; lane < LANES; lane++) {
      int l = lane;
      String name = lane == 0 ? "bulwark-log-sync" : "bulwark-log-sync-" + (lane + 1);
      threads[lane] = Thread.ofPlatform().name(name).daemon(true).unstarted(() -> run(l));
    }
  }

  void start() {
    for (Thread t : threads) {
      t.start();
    }
  }

  /** Whether {@code t} is one of the sync threads. */
  boolean isSyncThread(Thread t) {
    for (Thread s : threads) {
      if (s == t) {
        return true;
      }
    }
    return false;
  }

  /** Waits until the next group can be handed over: its lane is free (writer thread). */
  void awaitRoom() {
    int lane = (int) (submitted % LANES);
    while (slots.get(lane) != null) {
      LockSupport.park(this);
    }
  }

  /**
   * Hands a written group to its lane (writer thread). Runs it on the caller instead, once every
   * earlier group is acknowledged, if that lane's thread is gone (it only ends by {@link #stop} or
   * an {@link Error}), so the writer can never wait for a group nobody syncs.
   */
  void submit(Job job) {
    awaitRoom();
    long seq = submitted;
    int lane = (int) (seq % LANES);
    if (!threads[lane].isAlive()) {
      awaitIdle();
      try {
        job.force(lane);
        job.ack();
      } finally {
        submitted = seq + 1;
        acked = seq + 1;
      }
      return;
    }
    slots.set(lane, job);
    submitted = seq + 1;
    LockSupport.unpark(threads[lane]);
  }

  /** Waits until every group handed over is synced and acknowledged (writer thread). */
  void awaitIdle() {
    while (acked != submitted) {
      LockSupport.park(this);
    }
  }

  /** Stops the threads once every group is acknowledged (writer thread, after its last group). */
  void stop() {
    awaitIdle();
    running = false;
    for (Thread t : threads) {
      LockSupport.unpark(t);
    }
  }

  private void run(int lane) {
    long seq = lane; // this lane's groups are lane, lane + LANES, ...
    while (true) {
      Job job = slots.get(lane);
      if (job == null) {
        if (!running) {
          return;
        }
        LockSupport.park(this);
        continue;
      }
      try {
        try {
          job.force(lane);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.ERROR, "group commit fsync failed unexpectedly", e);
        }
        while (acked != seq) {
          LockSupport.park(this); // an earlier group is acknowledged first
        }
        job.ack(); // fails its own appends; anything escaping is a bug, not a reason to stop
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "group commit sync failed", e);
      } finally {
        slots.set(lane, null);
        acked = seq + 1;
        seq += LANES;
        LockSupport.unpark(writer);
        for (Thread t : threads) {
          if (t != Thread.currentThread()) {
            LockSupport.unpark(t);
          }
        }
      }
    }
  }
}
