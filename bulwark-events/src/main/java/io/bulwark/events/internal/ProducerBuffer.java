package io.bulwark.events.internal;

import io.bulwark.events.BufferFullException;
import io.bulwark.events.EventLogException;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.ProducerConfig.WhenFull;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A producer's bound on unacknowledged records, the same for every backend: one permit per record
 * in flight, taken before the send and given back when the record is acknowledged or fails. When
 * none is free the producer fails at once ({@link WhenFull#FAIL_FAST}) or blocks up to {@link
 * ProducerConfig#maxBlock()}. Thread-safe.
 */
public final class ProducerBuffer {
  private final Semaphore permits;
  private final ProducerConfig config;

  public ProducerBuffer(ProducerConfig config) {
    this.config = config;
    this.permits = new Semaphore(config.maxBufferedRecords());
  }

  /**
   * Takes one permit for a record going to {@code destination} (named in the error).
   *
   * @throws BufferFullException if no permit is free in time
   */
  public void acquire(Object destination) {
    boolean ok;
    if (config.whenFull() == WhenFull.FAIL_FAST) {
      ok = permits.tryAcquire();
    } else {
      try {
        ok = permits.tryAcquire(config.maxBlock().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EventLogException("interrupted while waiting for producer buffer room", e);
      }
    }
    if (!ok) {
      throw new BufferFullException(
          "producer buffer full: "
              + config.maxBufferedRecords()
              + " records unacknowledged (sending to "
              + destination
              + ", whenFull="
              + config.whenFull()
              + ")");
    }
  }

  /** Gives one permit back. */
  public void release() {
    permits.release();
  }

  /** The semaphore itself, for a writer that releases permits on another thread. */
  public Semaphore semaphore() {
    return permits;
  }
}
