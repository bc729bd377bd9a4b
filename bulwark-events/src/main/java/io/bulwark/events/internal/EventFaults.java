package io.bulwark.events.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjectedException;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.time.Clock;
import io.bulwark.events.Consumer;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventRecord;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The event log's chaos injection points, shared by both backends (see docs/chaos.md). Each backend
 * calls these only when {@link FaultPoints#injector()} is non-null, so an inactive point costs one
 * field read.
 *
 * <p><b>Produce</b> (site: kind {@code event-produce}, service {@code ""}, instance = the
 * partition, route = the topic): latency — {@code send} waits, then sends; exception — the send's
 * future fails with it and nothing is stored; blackhole (drop) — nothing is stored and the future
 * fails once the caller's deadline (or the fault's life) has passed, without blocking the caller;
 * duplicate — the record is appended {@code 1 + copies} times (as a retried non-idempotent send),
 * the caller's future being the first's.
 *
 * <p><b>Consume</b> (site: kind {@code event-consume}, service = the consumer group, instance = the
 * partition, route = the topic), decided per delivered record: latency — the poll returns after the
 * largest delay drawn for its records; exception — the poll throws it and every partition it read
 * is rewound to its first record, so nothing is lost (the records come again); blackhole — the poll
 * waits out its timeout (or the fault) and returns nothing, rewound the same way; duplicate — the
 * record is delivered {@code 1 + copies} times in a row (an inbox sees the same message id and
 * skips the copies); reorder — the record is moved after up to {@code window} later records of its
 * partition in the same poll (an inbox processes each record once, in the new order: it dedups but
 * does not restore order). Positions and commits are as without the fault.
 */
public final class EventFaults {
  private static final ContextHeaders CODEC = ContextHeaders.builder().build();

  private EventFaults() {}

  /**
   * Decides the produce fault for a record of {@code topic} to {@code partition}; applies latency
   * (returns null after the wait). Call with the sender's context current.
   */
  public static @Nullable FaultAction produce(FaultInjector fi, String topic, int partition) {
    FaultAction a =
        fi.decide(
            new FaultSite(FaultPointKind.EVENT_PRODUCE, "", Integer.toString(partition), topic));
    if (a instanceof FaultAction.Delay d) {
      pause(fi, d, "send to " + topic);
    }
    return a;
  }

  /**
   * Tags {@code span} with {@code action}; for an exception or a blackhole completes {@code acked}
   * exceptionally (now, or after the hang on the injector's scheduler) and returns true: the record
   * must not be sent.
   */
  public static boolean failsProduce(
      FaultInjector fi,
      FaultAction action,
      TelemetrySpan span,
      CompletableFuture<RecordMetadata> acked) {
    action.tag().tag(span);
    switch (action) {
      case FaultAction.Raise r -> {
        acked.completeExceptionally(r.error());
        return true;
      }
      case FaultAction.Blackhole b -> {
        Deadline deadline = Context.current().deadline();
        long hang = Math.max(0, b.maxHangNanos());
        long left = deadline == null ? Long.MAX_VALUE : deadline.remainingNanos();
        boolean byDeadline = left <= hang;
        long wait = byDeadline ? Math.max(0, left) : hang;
        String id = b.tag().faultId();
        var unused =
            fi.scheduler()
                .schedule(
                    wait,
                    () ->
                        acked.completeExceptionally(
                            byDeadline
                                ? DeadlineExceededException.duringCall(
                                    "deadline passed while chaos fault " + id + " dropped a send")
                                : new FaultInjectedException(
                                    "send dropped by chaos fault " + id, b.tag())));
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /** How many extra copies a produce action asks for. */
  public static int produceCopies(@Nullable FaultAction action) {
    return action instanceof FaultAction.Duplicate d ? d.copies() : 0;
  }

  /**
   * Applies the consume faults to the records of one poll of {@code consumer} (group {@code
   * group}); returns the records to deliver.
   *
   * @throws RuntimeException an injected exception, after rewinding the polled partitions
   */
  public static List<EventRecord> consume(
      FaultInjector fi,
      Consumer consumer,
      String group,
      List<EventRecord> records,
      Duration pollTimeout) {
    if (records.isEmpty()) {
      return records;
    }
    List<EventRecord> out = new ArrayList<>(records.size());
    List<Held> held = new ArrayList<>();
    long delay = 0;
    FaultAction.Delay slowest = null;
    for (EventRecord r : records) {
      FaultAction a = decideConsume(fi, group, r);
      switch (a) {
        case null -> out.add(r);
        case FaultAction.Delay d -> {
          out.add(r);
          if (d.nanos() >= delay) {
            delay = d.nanos();
            slowest = d;
          }
        }
        case FaultAction.Duplicate d -> {
          for (int i = 0; i <= d.copies(); i++) {
            out.add(r);
          }
        }
        case FaultAction.Reorder o -> held.add(new Held(r, o.window()));
        case FaultAction.Raise e -> {
          rewind(consumer, records);
          throw e.error();
        }
        case FaultAction.Blackhole b -> {
          rewind(consumer, records);
          long hang = Math.min(b.maxHangNanos(), pollTimeout.toNanos());
          pause(fi, new FaultAction.Delay(b.tag(), Math.max(0, hang)), "poll of " + group);
          return List.of();
        }
        default -> out.add(r); // the HTTP actions do not act here
      }
    }
    if (slowest != null) {
      pause(fi, slowest, "poll of " + group);
    }
    for (int i = held.size() - 1;
        i >= 0;
        i--) { // the latest first: no record passes one held later
      place(out, held.get(i));
    }
    return out;
  }

  /**
   * The consume decision for {@code r}, taken under the sender's context restored from its headers
   * (so a cohort and a request id travel with the event); under the poller's if they are malformed.
   */
  private static @Nullable FaultAction decideConsume(
      FaultInjector fi, String group, EventRecord r) {
    FaultSite site =
        new FaultSite(
            FaultPointKind.EVENT_CONSUME, group, Integer.toString(r.partition()), r.topic());
    Context sender;
    try {
      sender = RecordContext.extract(r.headers(), CODEC, Clock.system());
    } catch (RuntimeException malformed) {
      return fi.decide(site);
    }
    try {
      return sender.call(() -> fi.decide(site));
    } catch (Exception e) { // decide never throws
      throw new IllegalStateException(e);
    }
  }

  private record Held(EventRecord record, int window) {}

  /**
   * Puts a held record after the {@code window}-th later record of its partition, or after the
   * partition's last record when the poll has fewer.
   */
  private static void place(List<EventRecord> out, Held h) {
    EventRecord r = h.record();
    int later = 0;
    int at = out.size();
    for (int i = 0; i < out.size(); i++) {
      EventRecord o = out.get(i);
      if (o.partition() == r.partition() && o.topic().equals(r.topic())) {
        at = i + 1;
        if (o.offset() > r.offset() && ++later == h.window()) {
          break;
        }
      }
    }
    out.add(at, r);
  }

  private static void rewind(Consumer consumer, List<EventRecord> records) {
    Map<TopicPartition, Long> first = new LinkedHashMap<>();
    for (EventRecord r : records) {
      first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
    }
    first.forEach(consumer::seek);
  }

  private static void pause(FaultInjector fi, FaultAction.Delay d, String what) {
    try {
      fi.pause(d.nanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventLogException(
          what + ": interrupted in the delay of chaos fault " + d.tag().faultId(), e);
    }
  }
}
