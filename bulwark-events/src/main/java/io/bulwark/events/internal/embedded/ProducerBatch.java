package io.bulwark.events.internal.embedded;

import io.bulwark.events.RecordMetadata;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * The open batch of one producer for one partition: the producer's accumulator. The producer adds
 * records to it (under its send lock, so one adder at a time) while it waits in the writer's queue;
 * the writer seals it when it takes it from the queue, and from then on the producer starts a new
 * batch. A batch is queued when its first record is added, so a lone send reaches the writer at
 * once (no linger), and records that arrive while the writer is busy ride in the batch already
 * queued instead of each queueing a task of their own.
 *
 * <p>Its records are one producer's, in send order, with consecutive sequence numbers from {@link
 * #baseSequence()} (idempotent producers; -1 otherwise), so the writer encodes them as one run.
 *
 * <p>Design notes: {@link #state} holds the record count, with {@link #SEALED} set once the writer
 * sealed it. The producer stores record {@code n} into the arrays (growing them first if needed)
 * and only then moves the state from {@code n} to {@code n + 1} with a CAS; the writer seals with
 * an atomic OR. So the count the writer sees is final, every record below it was written before the
 * CAS that counted it (the CAS and the seal are ordered on {@code state}), and a producer whose CAS
 * fails (sealed meanwhile) knows its record is not in the batch and starts a new one. The arrays
 * are replaced only by the producer, with a copy holding every record written so far, so whichever
 * version the writer reads after sealing holds the first {@code count} records.
 */
final class ProducerBatch implements LogWriter.Task {
  private static final int SEALED = 1 << 30;
  private static final int FIRST_CAPACITY = 8;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(ProducerBatch.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final PartitionLog log;
  private final long producerId;
  private final int baseSequence;
  private final @Nullable Semaphore permits;
  private final int maxRecords;
  private final long maxBytes;

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  private volatile BatchCodec.Entry[] entries;
  private volatile CompletableFuture<RecordMetadata>[] futures;

  /** Producer side only: bytes of the records added, to stop at {@code maxBytes}. */
  private long bytes;

  /**
   * A batch for {@code log}; its arrays start sized for {@code expectedRecords} (the producer
   * passes the size of its previous batch) and grow if more come.
   */
  ProducerBatch(
      PartitionLog log,
      long producerId,
      int baseSequence,
      @Nullable Semaphore permits,
      int maxRecords,
      long maxBytes,
      int expectedRecords) {
    this.log = log;
    this.producerId = producerId;
    this.baseSequence = baseSequence;
    this.permits = permits;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    int capacity = Math.clamp(expectedRecords, FIRST_CAPACITY, maxRecords);
    this.entries = new BatchCodec.Entry[capacity];
    @SuppressWarnings("unchecked")
    CompletableFuture<RecordMetadata>[] f =
        (CompletableFuture<RecordMetadata>[]) new CompletableFuture<?>[capacity];
    this.futures = f;
  }

  /**
   * Adds a record (producer, under its send lock). Returns false, without adding it, if the writer
   * has sealed the batch or it is full (records or bytes; a first record always fits): the caller
   * starts a new batch for it.
   */
  boolean tryAdd(BatchCodec.Entry entry, CompletableFuture<RecordMetadata> future) {
    int n = (int) STATE.getVolatile(this);
    if ((n & SEALED) != 0 || n >= maxRecords || (n > 0 && bytes + entry.encodedSize() > maxBytes)) {
      return false;
    }
    BatchCodec.Entry[] e = entries;
    CompletableFuture<RecordMetadata>[] f = futures;
    if (n >= e.length || n >= f.length) { // full, or dropped by the writer (then sealed)
      e = Arrays.copyOf(e, Math.max(FIRST_CAPACITY, n * 2));
      f = Arrays.copyOf(f, Math.max(FIRST_CAPACITY, n * 2));
      entries = e;
      futures = f;
    }
    e[n] = entry;
    f[n] = future;
    if (!STATE.compareAndSet(this, n, n + 1)) {
      return false; // sealed since: the record is not in this batch
    }
    bytes += entry.encodedSize();
    return true;
  }

  /** Seals the batch (writer): no record is added after this. Returns the final record count. */
  int seal() {
    return (int) STATE.getAndBitwiseOr(this, SEALED) & ~SEALED;
  }

  /** The record count; only meaningful after {@link #seal()}. */
  int count() {
    return (int) STATE.getVolatile(this) & ~SEALED;
  }

  PartitionLog log() {
    return log;
  }

  long producerId() {
    return producerId;
  }

  /** The sequence of the first record (the others follow it), -1 for a non-idempotent producer. */
  int baseSequence() {
    return baseSequence;
  }

  @Nullable Semaphore permits() {
    return permits;
  }

  /** The sealed batch's entries; index {@code [0, count())} is valid. */
  BatchCodec.Entry[] entries() {
    return entries;
  }

  /** The sealed batch's futures; index {@code [0, count())} is valid. */
  CompletableFuture<RecordMetadata>[] futures() {
    return futures;
  }

  /** The encoded record bytes of the sealed batch (writer). */
  long encodedBytes() {
    int n = count();
    BatchCodec.Entry[] e = entries;
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += e[i].encodedSize();
    }
    return sum;
  }

  /**
   * Lets go of the records (writer, once the batch was handed on or failed), so a producer that
   * does not send to this partition again does not keep them reachable through its open batch.
   */
  @SuppressWarnings("unchecked")
  void drop() {
    entries = new BatchCodec.Entry[0];
    futures = (CompletableFuture<RecordMetadata>[]) new CompletableFuture<?>[0];
  }

  /** Fails every record of the sealed batch that is not complete yet, giving back its permit. */
  void fail(RuntimeException cause) {
    int n = seal();
    CompletableFuture<RecordMetadata>[] f = futures;
    for (int i = 0; i < n; i++) {
      if (f[i].completeExceptionally(cause) && permits != null) {
        permits.release();
      }
    }
  }
}
