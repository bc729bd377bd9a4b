package io.bulwark.events.internal.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The second stage of the writer's group commit: fsyncs written groups and acknowledges them in up
 * to {@link #LANES} sync lanes at once, so that the next group is written while a group's fsync
 * runs, and a group written during a slow fsync starts its own fsync at once instead of queueing
 * behind it.
 *
 * <p>Design notes: a lane is a slot (and the index of the segments' fsync descriptors), not a
 * thread. The log's worker threads take turns as the writer (leader/follower, {@link LogWriter}):
 * the writer {@linkplain #assign assigns} the group it wrote to the lowest-numbered free lane,
 * hands the writer's role to another worker and then {@linkplain #sync syncs} that lane itself, so
 * no thread hand-off lies between a group's write and its fsync. At most {@link #LANES} groups are
 * in the lanes; the writer waits ({@link #awaitRoom}) only while every lane is busy. A lane runs
 * its group's fsyncs ({@link Job#force}, concurrently with the other lanes'), then acknowledges
 * whatever it can ({@link #advance}): acknowledgements happen strictly in write order, one thread
 * at a time (under {@link #acks}), and each group checks at its turn whether an earlier group of
 * the same partition failed. Work that durability does not need ({@link Job#afterAck}) runs after
 * the lock is released.
 *
 * <p>Covered acknowledgement: a group whose own fsync has not returned yet is acknowledged when a
 * later group's fsyncs have returned successfully and {@linkplain Job#covers cover} every file it
 * wrote. The later group's fsync began after the earlier group's write had completed (a group is
 * written before it is assigned, and groups are assigned in write order), and on Linux an fsync
 * makes durable every page of the file that was dirty when it began, whichever descriptor wrote it,
 * and reports every write-back error of those pages to each descriptor that has not seen it yet. So
 * a successful covering fsync proves the earlier bytes durable, and a slow fsync no longer holds
 * back the groups written after it (nor itself). When the covered group's own fsync returns later
 * and failed, its descriptor has consumed an error the next group of that lane would not see again,
 * so the partition is marked failed: its later groups fail at their turn and it refuses appends
 * until reopened, as after any failed fsync. A group's lane stays occupied until its own fsync
 * returned.
 *
 * <p>Each lane fsyncs through its own file descriptor ({@link Segment#force(int)}), so a write-back
 * error is reported to every fsync that waited on the failed pages, never consumed by the other
 * lanes' calls. Every thread parks rather than spins; every wait re-checks its condition after the
 * state it waits on is written and before the unpark, so a stray unpark is harmless and a missed
 * one is impossible; only workers flagged as waiting here ({@link #waiting}) are unparked.
 */
final class GroupSyncer {
  private static final System.Logger LOG = System.getLogger(GroupSyncer.class.getName());

  /**
   * Sync lanes, hence the most groups written and not yet through their own fsync ({@code
   * -Dbulwark.events.syncLanes=N}, 1 to 8, for benchmark A/B; default 3).
   */
  static final int LANES = lanes(System.getProperty("bulwark.events.syncLanes"));

  /**
   * Benchmark A/B switch ({@code -Dbulwark.events.fixedSyncLanes=true}): group {@code s} waits for
   * lane {@code s % LANES} as before the free-lane choice, to compare both on one build.
   */
  private static final boolean FIXED_LANES = Boolean.getBoolean("bulwark.events.fixedSyncLanes");

  /** Whether a later fsync may acknowledge an earlier group (the Linux fsync semantics above). */
  static final boolean COVERING =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

  static int lanes(@Nullable String property) {
    if (property == null || property.isBlank()) {
      return 3;
    }
    try {
      int n = Integer.parseInt(property.strip());
      if (n >= 1 && n <= 8) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "system property bulwark.events.syncLanes must be a whole number from 1 to 8, was '"
            + property
            + "'");
  }

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

    /**
     * Runs after {@link #ack}, outside the acknowledgement lock, on the thread that acknowledged it
     * (work durability does not need: listeners, page-cache advice); never throws.
     */
    void afterAck();

    /** Told when the group's own fsync returned after a covered acknowledgement (its lane). */
    void forcedAfterCoveredAck();
  }

  /** A group in its lane. */
  static final class Slot {
    final Job job;
    final long seq;
    final int lane;
    volatile boolean forced;
    volatile boolean coveredAck;

    Slot(Job job, long seq, int lane) {
      this.job = job;
      this.seq = seq;
      this.lane = lane;
    }
  }

  /** Every thread that may wait here (the log's workers): woken when a lane or an ack changes. */
  private final Thread[] threads;

  /**
   * Per worker, 1 while it waits here: set before it checks what it waits for, so a change made
   * before that check is seen by the check and one made after it sees the flag and unparks it; the
   * others (the writer waiting for tasks, workers waiting for the writer's role) are not woken.
   */
  private final AtomicIntegerArray waiting;

  private final AtomicReferenceArray<@Nullable Slot> slots = new AtomicReferenceArray<>(LANES);

  /** The writer's parking blocker while every lane is busy (see {@link #waitsForRoom}). */
  private final Object room = new Object();

  /** Held while acknowledging, so groups are acknowledged one at a time, in order. */
  private final ReentrantLock acks = new ReentrantLock();

  /** The number of the next group to assign (written by the writer only). */
  private volatile long submitted;

  /** The number of the next group to acknowledge (written under {@link #acks}). */
  private volatile long acked;

  /** Groups acknowledged before their own fsync returned (covered by a later one). */
  private final AtomicLong coveredAcks = new AtomicLong();

  GroupSyncer(Thread[] threads) {
    this.threads = threads;
    this.waiting = new AtomicIntegerArray(threads.length);
  }

  /** The calling worker's index, or -1 if it is none of them. */
  private int self() {
    Thread t = Thread.currentThread();
    for (int k = 0; k < threads.length; k++) {
      if (threads[k] == t) {
        return k;
      }
    }
    return -1;
  }

  /** Groups acknowledged so far through a later group's fsync (test and benchmark hook). */
  long coveredAcks() {
    return coveredAcks.get();
  }

  /** Whether {@code t} is parked waiting for a free lane (test hook). */
  boolean waitsForRoom(Thread t) {
    return LockSupport.getBlocker(t) == room;
  }

  /** Waits until the next group can be assigned: a lane is free (the writer). */
  void awaitRoom() {
    if (freeLane() >= 0) {
      return;
    }
    int me = self();
    mark(me, 1);
    try {
      while (freeLane() < 0) {
        park(me, room);
      }
    } finally {
      mark(me, 0);
    }
  }

  private void mark(int me, int value) {
    if (me >= 0) {
      waiting.set(me, value);
    }
  }

  /** Parks a worker until woken; a caller that is no worker is not woken, so it polls. */
  private static void park(int me, Object blocker) {
    if (me >= 0) {
      LockSupport.park(blocker);
    } else {
      LockSupport.parkNanos(blocker, 1_000_000L);
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
   * Puts a written group into a free lane, waiting for one (the writer, which then passes its role
   * on before it {@linkplain #sync syncs} the returned lane itself).
   */
  Slot assign(Job job) {
    awaitRoom();
    long seq = submitted;
    int lane = freeLane(); // still free: only the writer fills lanes
    Slot slot = new Slot(job, seq, lane);
    slots.set(lane, slot);
    submitted = seq + 1;
    return slot;
  }

  /**
   * Runs a lane on the calling thread: fsyncs its group, acknowledges whatever is due, waits until
   * its own group is acknowledged (an earlier group first), then frees the lane. Never throws.
   */
  void sync(Slot slot) {
    try {
      try {
        slot.job.force(slot.lane);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "group commit fsync failed unexpectedly", e);
      }
      slot.forced = true;
      advance();
      if (acked <= slot.seq) {
        int me = self();
        mark(me, 1);
        try {
          while (acked <= slot.seq) {
            park(me, this); // an earlier group is acknowledged first, then this one
          }
        } finally {
          mark(me, 0);
        }
      }
      if (slot.coveredAck) {
        slot.job.forcedAfterCoveredAck();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "group commit sync failed", e);
    } finally {
      slots.set(slot.lane, null);
      wakeAll();
    }
  }

  /**
   * Waits until every group assigned is acknowledged and its own fsync has returned (the writer,
   * which syncs no lane meanwhile): no lane touches a file after this until the next assignment.
   */
  void awaitIdle() {
    if (acked == submitted && !busy()) {
      return;
    }
    int me = self();
    mark(me, 1);
    try {
      while (acked != submitted || busy()) {
        park(me, this);
      }
    } finally {
      mark(me, 0);
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

  /**
   * Acknowledges, in order, every group from the next one on whose own fsync has returned or that a
   * later group's returned fsyncs cover; stops at the first that is neither. Then, outside the
   * lock, runs their {@link Job#afterAck}.
   */
  private void advance() {
    List<Job> done = null;
    acks.lock();
    try {
      long s;
      while ((s = acked) < submitted) {
        Slot next = slotOf(s);
        if (next == null) {
          break; // not assigned yet (cannot happen: submitted counts it after its slot is set)
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
        if (done == null) {
          done = new ArrayList<>(2);
        }
        done.add(next.job);
        acked = s + 1;
      }
    } finally {
      acks.unlock();
    }
    wakeAll();
    if (done != null) {
      for (Job j : done) {
        try {
          j.afterAck();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.ERROR, "group commit after-acknowledgement work failed", e);
        }
      }
    }
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

  /** Wakes every worker waiting here for a lane, an acknowledgement or idleness. */
  private void wakeAll() {
    Thread self = Thread.currentThread();
    for (int k = 0; k < threads.length; k++) {
      if (waiting.get(k) != 0 && threads[k] != self) {
        LockSupport.unpark(threads[k]);
      }
    }
  }
}
