package io.bulwark.telemetry.internal;

import io.bulwark.core.time.Clock;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Ended spans on their way to a {@link SpanExporter}: a bounded multi-producer queue drained by one
 * exporter thread, which hands them over in batches of up to {@value #MAX_BATCH} when a batch is
 * full, when {@link #DELAY_NANOS} of the telemetry clock have passed since the last export (with a
 * virtual clock: when it has been advanced that far), on {@link #flush()} and on {@link
 * #shutdown(long)}. {@link #offer} never blocks and never allocates: when the queue ({@value
 * #CAPACITY} spans) is full, or after shutdown, the span is dropped and counted ({@link
 * TelemetryState#droppedSpans()}, exported as {@code bulwark_spans_dropped_total}).
 *
 * <p>Design notes: producers claim a sequence number with one CAS on {@code tail} (refused when
 * {@code tail - head} has reached the capacity) and then publish the span into slot {@code seq %
 * CAPACITY}. The single consumer reads slot {@code head}; a null there means "claimed, not yet
 * published" (or empty), so it waits for the next round. It clears the slot before advancing {@code
 * head}, so a producer that sees room finds its slot empty. Each export waits for the exporter's
 * result (at most {@link #EXPORT_TIMEOUT_SECONDS} s) before the batch list is reused. An exporter
 * that throws loses its batch (counted as failed exports, never as dropped).
 */
public final class SpanBatcher {
  static final int CAPACITY = 2048;
  static final int MAX_BATCH = 512;
  static final long DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final int EXPORT_TIMEOUT_SECONDS = 30;

  private final SpanExporter exporter;
  private final TelemetryState state;
  private final Clock clock;
  private final AtomicReferenceArray<@Nullable SpanData> slots =
      new AtomicReferenceArray<>(CAPACITY);
  private final AtomicLong tail = new AtomicLong();
  private final AtomicLong head = new AtomicLong();
  // a cached head + CAPACITY, below which a producer need not read head (shared with the consumer)
  private volatile long producerLimit = CAPACITY;
  private final ConcurrentLinkedQueue<CompletableResultCode> flushes =
      new ConcurrentLinkedQueue<>();
  private final CompletableResultCode stopped = new CompletableResultCode();
  private final Thread worker;
  private volatile boolean shutdown;

  public SpanBatcher(SpanExporter exporter, TelemetryState state, Clock clock) {
    this.exporter = exporter;
    this.state = state;
    this.clock = clock;
    this.worker = Thread.ofPlatform().daemon().name("bulwark-span-exporter").unstarted(this::run);
    worker.start();
  }

  /** Queues {@code span} for export; false (and counted as dropped) when full or shut down. */
  public boolean offer(SpanData span) {
    if (shutdown) {
      state.countDroppedSpan();
      return false;
    }
    long t;
    do {
      t = tail.get();
      if (t >= producerLimit) {
        long limit = head.get() + CAPACITY;
        producerLimit = limit;
        if (t >= limit) {
          state.countDroppedSpan();
          return false;
        }
      }
    } while (!tail.compareAndSet(t, t + 1));
    slots.set((int) (t & (CAPACITY - 1)), span);
    if (((t + 1) & (MAX_BATCH - 1)) == 0) {
      LockSupport.unpark(worker); // a batch's worth more arrived
    }
    return true;
  }

  /** Exports everything queued before this call; the result completes when the exporter is done. */
  public CompletableResultCode flush() {
    CompletableResultCode done = new CompletableResultCode();
    if (shutdown) {
      return stopped.isDone() ? done.succeed() : stopped;
    }
    flushes.add(done);
    LockSupport.unpark(worker);
    return done;
  }

  /** Exports what is queued, shuts the exporter down and waits up to {@code timeoutMillis}. */
  public void shutdown(long timeoutMillis) {
    shutdown = true;
    LockSupport.unpark(worker);
    stopped.join(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Spans queued and not yet taken by the exporter thread. */
  int queued() {
    return (int) (tail.get() - head.get());
  }

  private void run() {
    List<SpanData> batch = new ArrayList<>(MAX_BATCH);
    List<CompletableResultCode> pending = new ArrayList<>();
    long flushTarget = 0;
    long lastExport = clock.nanoTime();
    try {
      while (true) {
        boolean stopping = shutdown;
        int before = pending.size();
        for (CompletableResultCode f; (f = flushes.poll()) != null; ) {
          pending.add(f);
        }
        if (pending.size() > before) {
          flushTarget = tail.get();
        }
        boolean urgent = stopping || !pending.isEmpty();
        drain(batch, stopping ? tail.get() : pending.isEmpty() ? 0 : flushTarget);
        if (!batch.isEmpty()
            && (urgent
                || batch.size() >= MAX_BATCH
                || clock.nanoTime() - lastExport >= DELAY_NANOS)) {
          export(batch);
          lastExport = clock.nanoTime();
        }
        if (!pending.isEmpty() && head.get() >= flushTarget) {
          pending.forEach(CompletableResultCode::succeed);
          pending.clear();
        }
        if (stopping && head.get() >= tail.get()) {
          return;
        }
        if (pending.isEmpty() && !shutdown && flushes.isEmpty() && queued() < MAX_BATCH) {
          long due = DELAY_NANOS - (clock.nanoTime() - lastExport);
          LockSupport.parkNanos(this, batch.isEmpty() ? DELAY_NANOS : Math.max(1, due));
        }
      }
    } finally {
      exporter.shutdown().join(EXPORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      pending.forEach(CompletableResultCode::succeed);
      for (CompletableResultCode f; (f = flushes.poll()) != null; ) {
        f.succeed();
      }
      stopped.succeed();
    }
  }

  /**
   * Moves queued spans into {@code batch}, up to a full batch; below sequence {@code waitBelow} it
   * waits out a producer that has claimed a slot but not yet published into it.
   */
  private void drain(List<SpanData> batch, long waitBelow) {
    long h = head.get();
    while (batch.size() < MAX_BATCH && h < tail.get()) {
      int i = (int) (h & (CAPACITY - 1));
      SpanData span = slots.get(i);
      if (span == null) {
        if (h >= waitBelow) {
          break;
        }
        Thread.onSpinWait();
        continue;
      }
      slots.lazySet(i, null);
      batch.add(span);
      h++;
    }
    head.set(h); // once per batch: producers read head only when their cached limit is reached
  }

  private void export(List<SpanData> batch) {
    try {
      exporter
          .export(Collections.unmodifiableList(batch))
          .join(EXPORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      state.countFailedSpanExport();
    } finally {
      batch.clear();
    }
  }
}
