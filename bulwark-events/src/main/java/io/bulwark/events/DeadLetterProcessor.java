package io.bulwark.events;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.resilience.Pipeline;
import io.bulwark.resilience.Retry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A consume loop step with a dead-letter topic: each polled record is handed to the handler up to
 * {@code maxAttempts} times (immediately, in order) — or, with {@link Builder#retry(Retry)}, as
 * often as a resilience {@link Retry} allows: with backoff between attempts, only for the failures
 * its {@code retryOn} accepts (a poison message with a fatal error goes to the dead-letter topic
 * after one attempt), within its retry budget. A record that still fails is published to the
 * dead-letter topic (default {@code <topic>.dlt}, which must exist) with its key, value and headers
 * plus {@code bulwark-dlt-topic}, {@code -partition}, {@code -offset}, {@code -attempts} and {@code
 * -cause} (exception class and message); its trace headers are those of its own send, a child of
 * the record's consumer span. Offsets are committed only after every record of the poll was handled
 * or dead-lettered (acknowledged), so nothing is lost: a crash redelivers (at-least-once). A thread
 * interrupted during a backoff stops the step: what was done is committed, the rest is redelivered.
 * (On JDK 25 an interrupt from another thread closes the channel of any file or socket operation
 * its target has begun by the time the interrupt call finishes, even after the target saw and
 * cleared the interrupt; such a commit then fails with {@link EventLogException}, nothing is
 * committed and the whole poll is redelivered.) Each record is handled (all its attempts, and its
 * dead-lettering) in a {@code CONSUMER} span, child of and linked to the producer's span, under the
 * sender's restored context ({@link EventRecord#consumerSpan}); a record whose context headers are
 * malformed is still handled, in a span of its own under the root context. Not thread-safe (it
 * drives one consumer).
 */
public final class DeadLetterProcessor {
  public static final String DLT_TOPIC = "bulwark-dlt-topic";
  public static final String DLT_PARTITION = "bulwark-dlt-partition";
  public static final String DLT_OFFSET = "bulwark-dlt-offset";
  public static final String DLT_ATTEMPTS = "bulwark-dlt-attempts";
  public static final String DLT_CAUSE = "bulwark-dlt-cause";
  private static final ContextHeaders CONTEXT_HEADERS = ContextHeaders.builder().build();

  /** Handles one record; throwing counts as a failed attempt. */
  @FunctionalInterface
  public interface Handler {
    void handle(EventRecord record) throws Exception;
  }

  private final Consumer consumer;
  private final Producer producer;
  private final Handler handler;
  private final int maxAttempts;
  private final @Nullable Pipeline retry;
  private final UnaryOperator<String> deadLetterTopic;
  private final Tracing tracing;
  private final @Nullable ConsumerTelemetry red;

  private DeadLetterProcessor(Builder b) {
    this.consumer = b.consumer;
    this.producer = b.producer;
    this.handler = b.handler;
    this.maxAttempts = b.maxAttempts;
    this.retry = b.retry == null ? null : Pipeline.of(b.retry);
    this.deadLetterTopic = b.deadLetterTopic;
    this.tracing = b.tracing;
    this.red = b.red;
  }

  public static Builder builder(Consumer consumer, Producer producer, Handler handler) {
    return new Builder(consumer, producer, handler);
  }

  /**
   * Polls once, handles or dead-letters every record, then commits.
   *
   * @return the number of records dead-lettered
   */
  public int processOnce(Duration pollTimeout) {
    List<EventRecord> records = consumer.poll(pollTimeout);
    int deadLettered = 0;
    Map<TopicPartition, Long> next = new HashMap<>();
    boolean interrupted = false;
    for (EventRecord r : records) {
      TelemetrySpan span = consumerSpan(r);
      Outcome outcome = new Outcome();
      long t0 = red == null ? 0 : System.nanoTime();
      try {
        span.context().run(() -> handle(r, outcome));
      } finally {
        HopSpans.consumerDone(span, outcome.failure);
        ConsumerTelemetry c = red;
        if (c != null) { // a dead-lettered record is an error of its topic's consumer
          c.record(
              r, io.bulwark.core.telemetry.Outcome.of(outcome.failure), System.nanoTime() - t0);
        }
      }
      if (outcome.interrupted) {
        interrupted = true; // stop here; the interrupt is restored after the commit, which
        break; // an interrupted thread could not do (its file or socket I/O would be cut)
      }
      if (outcome.failure != null) {
        deadLettered++;
      }
      next.put(r.topicPartition(), r.offset() + 1);
    }
    try {
      if (!next.isEmpty()) {
        consumer.commitSync(next);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return deadLettered;
  }

  /** How handling one record ended: attempts made, the last failure (null: handled). */
  private static final class Outcome {
    int attempts;
    @Nullable Exception failure;
    boolean interrupted;
  }

  private TelemetrySpan consumerSpan(EventRecord r) {
    try {
      return r.consumerSpan(tracing, CONTEXT_HEADERS);
    } catch (MalformedHeaderException e) { // the record is still handled, with no sender context
      return HopSpans.consumer(tracing, Context.root(), r.topic(), r.partition(), r.offset());
    }
  }

  /** Attempts {@code r}, then dead-letters it if it still fails (under the consumer span). */
  private void handle(EventRecord r, Outcome o) {
    if (retry == null) {
      attempt(r, o);
    } else {
      attemptWithRetry(retry, r, o);
    }
    Exception failure = o.failure;
    if (failure != null && !o.interrupted) {
      producer.send(deadLetter(r, o.attempts, failure)).join();
    }
  }

  private void attempt(EventRecord r, Outcome o) {
    while (o.attempts < maxAttempts) {
      o.attempts++;
      try {
        handler.handle(r);
        o.failure = null;
        return;
      } catch (Exception e) {
        o.failure = e;
      }
    }
  }

  private void attemptWithRetry(Pipeline retry, EventRecord r, Outcome o) {
    try {
      retry.call(
          () -> {
            o.attempts++;
            handler.handle(r);
            return Boolean.TRUE;
          });
    } catch (InterruptedException e) {
      o.interrupted = true;
    } catch (Exception e) {
      o.failure = e;
    }
  }

  private OutgoingRecord deadLetter(EventRecord r, int attempts, Exception cause) {
    String message = cause.getClass().getName() + ": " + cause.getMessage();
    if (message.length() > 1000) {
      message = message.substring(0, 1000);
    }
    OutgoingRecord.Builder b =
        OutgoingRecord.builder(deadLetterTopic.apply(r.topic())).key(r.key()).value(r.value());
    // the record's headers go along; the producer replaces their trace with its send's span
    r.headers().asMap().forEach(b::header);
    return b.header(DLT_TOPIC, r.topic())
        .header(DLT_PARTITION, Integer.toString(r.partition()))
        .header(DLT_OFFSET, Long.toString(r.offset()))
        .header(DLT_ATTEMPTS, Integer.toString(attempts))
        .header(DLT_CAUSE, message)
        .build();
  }

  /** Builds a {@link DeadLetterProcessor}; each setter validates. */
  public static final class Builder {
    private final Consumer consumer;
    private final Producer producer;
    private final Handler handler;
    private int maxAttempts = 3;
    private boolean maxAttemptsSet;
    private @Nullable Retry retry;
    private UnaryOperator<String> deadLetterTopic = t -> t + ".dlt";
    private Tracing tracing = Tracing.disabled();
    private @Nullable ConsumerTelemetry red;

    private Builder(Consumer consumer, Producer producer, Handler handler) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.producer = Objects.requireNonNull(producer, "producer");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts must be in 1..100, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      this.maxAttemptsSet = true;
      return this;
    }

    /**
     * Attempts each record as {@code retry} decides (attempts, backoff on its scheduler, which
     * failures are retried, budget) instead of {@code maxAttempts} immediate attempts.
     */
    public Builder retry(Retry retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    public Builder deadLetterTopic(UnaryOperator<String> deadLetterTopic) {
      this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
      return this;
    }

    /**
     * Where each record's {@code CONSUMER} span is recorded (e.g. {@code telemetry.tracing()});
     * default {@link Tracing#disabled()}: nothing recorded, but the handler still runs under a span
     * id of its own in the sender's trace.
     */
    public Builder tracing(Tracing tracing) {
      this.tracing = Objects.requireNonNull(tracing, "tracing");
      return this;
    }

    /**
     * Records each record's {@code CONSUMER} span in {@code telemetry.tracing()} and the RED of
     * processing it in {@code telemetry} ({@link ConsumerTelemetry}: endpoint {@code
     * consume.<topic>}, labelled with the record's chaos cohort while a fault is active).
     */
    public Builder telemetry(io.bulwark.core.telemetry.Telemetry telemetry) {
      this.tracing = telemetry.tracing();
      this.red = ConsumerTelemetry.of(telemetry);
      return this;
    }

    public DeadLetterProcessor build() {
      if (retry != null && maxAttemptsSet) {
        throw new IllegalStateException(
            "set either maxAttempts ("
                + maxAttempts
                + ") or retry ('"
                + retry.name()
                + "', "
                + retry.config().maxAttempts()
                + " attempts), not both");
      }
      return new DeadLetterProcessor(this);
    }
  }
}
