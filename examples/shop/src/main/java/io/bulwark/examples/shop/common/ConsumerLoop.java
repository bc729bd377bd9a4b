package io.bulwark.examples.shop.common;

import io.bulwark.events.Consumer;
import io.bulwark.events.EventRecord;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of an event consumer of the shop (shipping, notifications, the catalog projection):
 * polls, hands each record to a handler until it is processed, then commits the batch's offsets.
 *
 * <p>Guarantees: records are handled in the order the consumer polls them, each until its handler
 * returns (a handler that throws is called again with the same record, after a backoff from 50 ms
 * doubling to {@value #MAX_BACKOFF_MS} ms), so a partition waits behind a record that cannot be
 * processed yet; offsets are committed only after every record polled before them was handled, so a
 * crash redelivers (the handler must be idempotent: an inbox, the projection's offsets). A failed
 * poll or commit is retried (a failed commit redelivers records). The loop ends when {@code
 * stopping} says so or its thread is interrupted (a kill), within one poll or backoff.
 *
 * <p>Polls and commits run on the loop's own I/O thread, never on the thread that runs {@link #run}
 * and never interrupted: a kill interrupts the runtime's background thread, and on JDK 25 an
 * interrupt during a file read closes the channel, and the embedded log's files are shared by every
 * user in the JVM. {@link #close} lets the I/O in progress finish. Failures are logged once per
 * streak: a warning at the first, debug after.
 */
public final class ConsumerLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
  static final long MAX_BACKOFF_MS = 1_000;
  static final Duration POLL = Duration.ofMillis(200);

  /** One step that may fail for a while (the database busy, a service unreachable). */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  /** Processes one record; throws to have it retried. */
  @FunctionalInterface
  public interface Handler {
    void handle(EventRecord record) throws Exception;
  }

  private final String name;
  private final Consumer consumer;
  private final BooleanSupplier stopping;
  private final ExecutorService io;

  /**
   * @param name who runs it, for logs and the I/O thread's name ({@code <instance>-<what>})
   * @param consumer the subscribed consumer; the caller closes it (or abandons it, on a kill)
   * @param stopping true once the loop must end
   */
  public ConsumerLoop(String name, Consumer consumer, BooleanSupplier stopping) {
    this.name = Objects.requireNonNull(name, "name");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.stopping = Objects.requireNonNull(stopping, "stopping");
    this.io = Executors.newSingleThreadExecutor(Thread.ofVirtual().name(name + "-io").factory());
  }

  /** Polls and handles records until the loop must end (see the class comment). */
  public void run(Handler handler) {
    long backoff = 0;
    while (!stopping.getAsBoolean()) {
      List<EventRecord> records;
      try {
        records = io.submit(() -> consumer.poll(POLL)).get();
        backoff = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | RuntimeException e) {
        if (backoff == 0) {
          LOG.warn("{}: poll failed (retrying with backoff): {}", name, e.toString());
        }
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(50, backoff * 2));
        if (!Pause.of(backoff)) {
          return;
        }
        continue;
      }
      for (EventRecord r : records) {
        if (!retry(
            "record " + r.topic() + "-" + r.partition() + "@" + r.offset(),
            () -> handler.handle(r))) {
          return;
        }
      }
      if (!records.isEmpty() && !commit()) {
        return;
      }
    }
  }

  /**
   * Runs {@code step} until it succeeds, with backoff; false when the loop must end first.
   *
   * @param what the step, for the log
   */
  public boolean retry(String what, Step step) {
    long backoff = 50;
    boolean failed = false;
    while (!stopping.getAsBoolean()) {
      try {
        step.run();
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (Exception e) {
        if (failed) {
          LOG.debug("{}: {} failed again (retrying): {}", name, what, e.toString());
        } else {
          LOG.warn("{}: {} failed (retrying with backoff): {}", name, what, e.toString());
        }
        failed = true;
      }
      if (!Pause.of(backoff)) {
        return false;
      }
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
    return false;
  }

  /** Commits the polled offsets on the I/O thread; false when the loop must end. */
  private boolean commit() {
    try {
      io.submit((Runnable) consumer::commitSync).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | RuntimeException e) {
      if (stopping.getAsBoolean()) {
        return false;
      }
      LOG.warn("{}: commit failed (the records will be redelivered): {}", name, e.toString());
    }
    return true;
  }

  /** Ends the I/O thread once the poll or commit in progress, if any, finished. */
  @Override
  public void close() {
    io.close();
  }
}
