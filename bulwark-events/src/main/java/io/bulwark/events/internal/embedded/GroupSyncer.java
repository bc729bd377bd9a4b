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

  /** Hands a written group to the sync thread (writer thread; the slot must be empty). */
  void submit(Runnable group) {
    if (slot != null) {
      throw new IllegalStateException("a group is already being synced");
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
        group.run(); // never throws: the group fails its own appends
      } finally {
        slot = null;
        LockSupport.unpark(writer);
      }
    }
  }
}
