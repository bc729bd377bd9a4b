package io.bulwark.events.internal.embedded;

import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The second stage of the writer's group commit: runs one written group's fsync and
 * acknowledgements on its own thread while the writer thread already encodes the next group.
 *
 * <p>Design notes: a single slot, handed over by the writer thread only. {@link #submit} requires
 * the slot to be empty ({@link #awaitIdle} first), so at most one group is being synced and groups
 * are synced in the order they were written; the writer touches no file between {@link #submit} and
 * the next {@link #awaitIdle}, so a failed fsync can truncate its group without a write racing it.
 * Both threads park rather than spin; every wait re-checks its condition, so a stray unpark is
 * harmless and a missed one is impossible (the slot is written before the unpark).
 */
final class GroupSyncer implements Runnable {
  private static final System.Logger LOG = System.getLogger(GroupSyncer.class.getName());

  private final Thread thread;
  private final Thread writer;
  private volatile @Nullable Runnable slot;
  private volatile boolean running = true;

  GroupSyncer(Thread writer) {
    this.writer = writer;
    this.thread = Thread.ofPlatform().name("bulwark-log-sync").daemon(true).unstarted(this);
  }

  void start() {
    thread.start();
  }

  Thread thread() {
    return thread;
  }

  /** Whether a group is being synced. */
  boolean busy() {
    return slot != null;
  }

  /**
   * Hands a written group to the sync thread (writer thread; the slot must be empty). Runs it on
   * the caller instead if the sync thread is gone (it only ends by {@link #stop} or an {@link
   * Error}), so the writer can never wait for a group nobody syncs.
   */
  void submit(Runnable group) {
    if (slot != null) {
      throw new IllegalStateException("a group is already being synced");
    }
    if (!thread.isAlive()) {
      group.run();
      return;
    }
    slot = group;
    LockSupport.unpark(thread);
  }

  /** Waits until the group handed over last is synced and acknowledged (writer thread). */
  void awaitIdle() {
    while (slot != null) {
      LockSupport.park(this);
    }
  }

  /** Stops the thread once the slot is empty (writer thread, after its last group). */
  void stop() {
    awaitIdle();
    running = false;
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    while (true) {
      Runnable group = slot;
      if (group == null) {
        if (!running) {
          return;
        }
        LockSupport.park(this);
        continue;
      }
      try {
        group.run(); // fails its own appends; anything escaping is a bug, not a reason to stop
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "group commit sync failed", e);
      } finally {
        slot = null;
        LockSupport.unpark(writer);
      }
    }
  }
}
