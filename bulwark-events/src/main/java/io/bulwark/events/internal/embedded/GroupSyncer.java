package io.bulwark.events.internal.embedded;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The second stage of the writer's group commit: fsyncs written groups and acknowledges them on
 * {@value #LANES} sync threads (lanes), so that the writer writes group N+1 while group N's fsync
 * runs, and a group written during a slow fsync starts its own fsync at once instead of queueing
 * behind it.
 *
 * <p>Design notes: the writer numbers the groups it hands over; each group goes to whichever lane
 * is free (the lowest-numbered one), which holds one group at a time, so at most {@value #LANES}
 * groups are in the lanes and the writer waits ({@link #awaitRoom}) only while every lane is busy.
 * (A fixed lane per group, {@code s % LANES}, made a group wait behind a slow fsync in its lane
 * while the other lane was idle.) A lane runs its group's fsyncs ({@link Job#force}, concurrently
 * with the other lanes'), then acknowledges whatever it can ({@link #advance}): acknowledgements
 * happen strictly in write order, one thread at a time (under {@link #acks}), and each group checks
 * at its turn whether an earlier group of the same partition failed.
 *
 * <p>Covered acknowledgement: a group whose own fsync has not returned yet is acknowledged when a
 * later group's fsyncs have returned successfully and {@linkplain Job#covers cover} every file it
 * wrote. The later group's fsync began after the earlier group's write had completed (the writer
 * writes a group before it hands it over, and groups in write order), and on Linux an fsync makes
 * durable every page of the file that was dirty when it began, whichever descriptor wrote it, and
 * reports every write-back error of those pages to each descriptor that has not seen it yet. So a
 * successful covering fsync proves the earlier bytes durable, and a slow fsync no longer holds back
 * the groups written after it (nor itself). When the covered group's own fsync returns later and
 * failed, its descriptor has consumed an error the next group of that lane would not see again, so
 * the partition is marked failed: its later groups fail at their turn and it refuses appends until
 * reopened, as after any failed fsync. A group's lane stays occupied until its own fsync returned.
 *
 * <p>Each lane fsyncs through its own file descriptor ({@link Segment#force(int)}), so a write-back
 * error is reported to every fsync that waited on the failed pages, never consumed by the other
 * lanes' calls. Every thread parks rather than spins; every wait re-checks its condition after the
 * state it waits on is written and before the unpark, so a stray unpark is harmless and a missed
 * one is impossible.
 */
final class GroupSyncer {
  private static final System.Logger LOG = System.getLogger(GroupSyncer.class.getName());

  /** Sync threads, hence the most groups written and not yet through their own fsync. */
  static final int LANES = 2;

  /**
   * Benchmark A/B switch ({@code -Dbulwark.events.fixedSyncLanes=true}): group {@code s} waits for
   * lane {@code s % LANES} as before the free-lane choice, to compare both on one build.
   */
  private static final boolean FIXED_LANES = Boolean.getBoolean("bulwark.events.fixedSyncLanes");

  /** Whether a later fsync may acknowledge an earlier group (the Linux fsync semantics above). */
  static final boolean COVERING =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

  /** One written group: its fsyncs (any lane, concurrently) and its acknowledgement (in order). */
  interface Job {
    /** Fsyncs what the group wrote, through lane {@code lane}'s descriptors; never throws. */
    void force(int lane);

    /**
     * Whether this group's fsyncs, which have returned, all succeeded and include a fsync of every
     * file {@code earlier} (a group written before this one) wrote to.
     */
    boolean covers(Job earlier);

    /**
     * Publishes and acknowledges the group, or fails it; runs after every earlier group's. {@code
     * covered}: its own fsync has not returned, a later group's fsync {@linkplain #covers covers}
     * it.
     */
    void ack(boolean covered);

    /** Told when the group's own fsync returned after a covered acknowledgement (its lane). */
    void forcedAfterCoveredAck();
  }

  /** A group in its lane. */
  private static final class Slot {
    final Job job;
    final long seq;
    volatile boolean forced;
    volatile boolean coveredAck;

    Slot(Job job, long seq) {
      this.job = job;
      this.seq = seq;
    }
  }

  private final Thread[] threads = new Thread[LANES];
  private final Thread writer;
  private final AtomicReferenceArray<@Nullable Slot> slots = new AtomicReferenceArray<>(LANES);

  /** Held while acknowledging, so groups are acknowledged one at a time, in order. */
  private final ReentrantLock acks = new ReentrantLock();

  /** The number of the next group to hand over (written by the writer thread only). */
  private volatile long submitted;

  /** The number of the next group to acknowledge (written under {@link #acks}). */
  private volatile long acked;

  /** Groups acknowledged before their own fsync returned (covered by a later one). */
  private final AtomicLong coveredAcks = new AtomicLong();

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

  /** Groups acknowledged so far through a later group's fsync (test and benchmark hook). */
  long coveredAcks() {
    return coveredAcks.get();
  }

  /** Waits until the next group can be handed over: a lane is free (writer thread). */
  void awaitRoom() {
    while (freeLane() < 0) {
      LockSupport.park(this);
    }
  }

  /** The lowest-numbered lane holding no group, or -1 (only the writer fills lanes). */
  private int freeLane() {
    if (FIXED_LANES) {
      int lane = (int) (submitted % LANES);
      return slots.get(lane) == null ? lane : -1;
    }
    for (int lane = 0; lane < LANES; lane++) {
      if (slots.get(lane) == null) {
        return lane;
      }
    }
    return -1;
  }

  /** The group numbered {@code seq} if it is in a lane. */
  private @Nullable Slot slotOf(long seq) {
    for (int lane = 0; lane < LANES; lane++) {
      Slot s = slots.get(lane);
      if (s != null && s.seq == seq) {
        return s;
      }
    }
    return null;
  }

  /**
   * Hands a written group to a free lane (writer thread). Runs it on the caller instead, once every
   * earlier group is done, if that lane's thread is gone (it only ends by {@link #stop} or an
   * {@link Error}), so the writer can never wait for a group nobody syncs.
   */
  void submit(Job job) {
    awaitRoom();
    long seq = submitted;
    int lane = freeLane(); // still free: only this thread fills lanes
    if (!threads[lane].isAlive()) {
      awaitIdle();
      try {
        job.force(lane);
        job.ack(false);
      } finally {
        submitted = seq + 1;
        acked = seq + 1;
      }
      return;
    }
    slots.set(lane, new Slot(job, seq));
    submitted = seq + 1;
    LockSupport.unpark(threads[lane]);
  }

  /**
   * Waits until every group handed over is acknowledged and its own fsync has returned (writer
   * thread): no lane touches a file after this until the next {@link #submit}.
   */
  void awaitIdle() {
    while (acked != submitted || busy()) {
      LockSupport.park(this);
    }
  }

  private boolean busy() {
    for (int lane = 0; lane < LANES; lane++) {
      if (slots.get(lane) != null) {
        return true;
      }
    }
    return false;
  }

  /** Stops the threads once every group is done (writer thread, after its last group). */
  void stop() {
    awaitIdle();
    running = false;
    for (Thread t : threads) {
      LockSupport.unpark(t);
    }
  }

  private void run(int lane) {
    while (true) {
      Slot slot = slots.get(lane);
      if (slot == null) {
        if (!running) {
          return;
        }
        LockSupport.park(this);
        continue;
      }
      try {
        try {
          slot.job.force(lane);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.ERROR, "group commit fsync failed unexpectedly", e);
        }
        slot.forced = true;
        advance();
        while (acked <= slot.seq) {
          LockSupport.park(this); // an earlier group is acknowledged first, then this one
        }
        if (slot.coveredAck) {
          slot.job.forcedAfterCoveredAck();
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "group commit sync failed", e);
      } finally {
        slots.set(lane, null);
        wakeAll();
      }
    }
  }

  /**
   * Acknowledges, in order, every group from the next one on whose own fsync has returned or that a
   * later group's returned fsyncs cover; stops at the first that is neither.
   */
  private void advance() {
    acks.lock();
    try {
      long s;
      while ((s = acked) < submitted) {
        Slot next = slotOf(s);
        if (next == null) {
          break; // not handed over yet (cannot happen: submitted counts it after its slot is set)
        }
        boolean covered = !next.forced && coveredByLater(next);
        if (!next.forced && !covered) {
          break;
        }
        next.coveredAck = covered;
        try {
          next.job.ack(covered); // fails its own appends; anything escaping is a bug
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.ERROR, "group commit acknowledgement failed", e);
        }
        if (covered) {
          coveredAcks.incrementAndGet();
        }
        acked = s + 1;
      }
    } finally {
      acks.unlock();
    }
    wakeAll();
  }

  /**
   * Whether a later group in the lanes, its own fsyncs returned, covers {@code earlier}: any group
   * numbered higher was written after it (the writer writes and numbers groups in order).
   */
  private boolean coveredByLater(Slot earlier) {
    if (!COVERING) {
      return false;
    }
    for (int lane = 0; lane < LANES; lane++) {
      Slot later = slots.get(lane);
      if (later != null
          && later.seq > earlier.seq
          && later.forced
          && later.job.covers(earlier.job)) {
        return true;
      }
    }
    return false;
  }

  private void wakeAll() {
    LockSupport.unpark(writer);
    for (Thread t : threads) {
      if (t != Thread.currentThread()) {
        LockSupport.unpark(t);
      }
    }
  }
}
