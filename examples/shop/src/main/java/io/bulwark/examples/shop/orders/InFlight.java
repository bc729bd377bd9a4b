package io.bulwark.examples.shop.orders;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many checkouts this instance is running, from the moment a {@code POST /checkout} is accepted
 * (before the cart is read, so before its order row exists) until its answer is decided, with a
 * wait for "none left" that wakes on the last exit instead of polling. Thread-safe; the lock is
 * held only to count and to signal, never across work.
 */
final class InFlight {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition none = lock.newCondition();
  private int count;

  void enter() {
    lock.lock();
    try {
      count++;
    } finally {
      lock.unlock();
    }
  }

  void exit() {
    lock.lock();
    try {
      if (--count == 0) {
        none.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  int count() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits at most {@code timeout} until no checkout is running.
   *
   * @return how many are still running (0 when the wait succeeded)
   */
  int awaitNone(Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (count > 0 && left > 0) {
        left = none.awaitNanos(left);
      }
      return count;
    } finally {
      lock.unlock();
    }
  }
}
