package io.bulwark.events;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Exactly-once consume → transform → produce: each {@link #processOnce} polls the consumer, hands
 * every record to the transform, sends the records it returns and commits them together with the
 * consumed offsets in one transaction of the (transactional) producer.
 *
 * <p>Guarantees, on both backends, for a consumer reading with the log's committed-only isolation:
 * every input record's outputs become visible exactly once, atomically with the input's offset, and
 * in input order within each input partition (outputs keyed like their input go to the same output
 * partition in that order).
 *
 * <ul>
 *   <li>If the transform throws, a send or the commit fails, the transaction is aborted (outputs
 *       and offsets discarded together) and the consumer is rewound to the group's last committed
 *       offsets of the polled partitions (or to the first polled offset where nothing was committed
 *       yet), so the next call processes the same records again: nothing is lost or produced twice.
 *       The failure is rethrown: a transform failure as {@link TransformException} naming the
 *       record, a log failure as it was. A transform that throws {@link InterruptedException} fails
 *       the same way; the thread's interrupt is restored after the abort and the rewind.
 *   <li>A crash between produce and commit leaves the transaction uncommitted; the restarted
 *       instance (a producer with the same transactional id, a consumer of the same group) fences
 *       the old transaction and resumes from the committed offsets.
 *   <li>If a newer producer with the same transactional id fenced this one (a second instance, or
 *       this one presumed dead), {@code processOnce} throws {@link ProducerFencedException} and the
 *       processor stops: every later call throws {@link IllegalStateException}. Close its producer
 *       and consumer; the newer instance processes the records.
 *   <li>Offsets are committed with the consumer itself ({@link
 *       Producer#sendOffsetsToTransaction(Map, Consumer)}): a commit after the consumer lost its
 *       partitions to a rebalance fails and discards everything (zombie fencing).
 * </ul>
 *
 * <p>The transform runs in a {@code CONSUMER} span of its record ({@link
 * EventRecord#consumerSpan}), under the sender's restored context, so its outputs continue the
 * input's trace. It should have no other side effects: those are not part of the transaction and
 * happen again when a batch is retried. Not thread-safe: it drives one consumer and one producer,
 * which it does not close.
 */
public final class ExactlyOnceProcessor {
  private static final ContextHeaders CONTEXT_HEADERS = ContextHeaders.builder().build();

  /** Maps one input record to the records to produce for it (possibly none). */
  @FunctionalInterface
  public interface Transform {
    List<OutgoingRecord> apply(EventRecord record) throws Exception;
  }

  /** A {@link Transform} of records read from a typed {@link Topic}. */
  @FunctionalInterface
  public interface TypedTransform<K, V> {
    List<OutgoingRecord> apply(TypedRecord<K, V> record) throws Exception;
  }

  private final Consumer consumer;
  private final Producer producer;
  private final Transform transform;
  private final Tracing tracing;
  private final @Nullable ConsumerTelemetry red;
  private @Nullable ProducerFencedException fenced;

  private ExactlyOnceProcessor(Builder b) {
    this.consumer = b.consumer;
    this.producer = b.producer;
    this.transform = b.transform;
    this.tracing = b.tracing;
    this.red = b.red;
  }

  /**
   * A processor reading with {@code consumer} (already subscribed) and producing with {@code
   * producer}, which must have a {@link ProducerConfig#transactionalId() transactional id} and
   * belong to the same log.
   */
  public static Builder builder(Consumer consumer, Producer producer, Transform transform) {
    return new Builder(consumer, producer, transform);
  }

  /**
   * As {@link #builder(Consumer, Producer, Transform)}, each record decoded by {@code input}'s
   * serdes; a record that cannot be decoded fails the transform ({@link TransformException}).
   */
  public static <K, V> Builder builder(
      Consumer consumer, Producer producer, Topic<K, V> input, TypedTransform<K, V> transform) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(transform, "transform");
    return new Builder(consumer, producer, r -> transform.apply(input.decode(r)));
  }

  /**
   * Polls once and processes what arrived in one transaction.
   *
   * @return the number of input records committed (0 if the poll returned nothing)
   * @throws TransformException if the transform failed; the batch was aborted and rewound
   * @throws ProducerFencedException if the producer was fenced; the processor is stopped
   * @throws IllegalStateException if the processor stopped earlier because it was fenced
   */
  public int processOnce(Duration pollTimeout) {
    ProducerFencedException stopped = fenced;
    if (stopped != null) {
      throw new IllegalStateException("processor stopped: " + stopped.getMessage(), stopped);
    }
    List<EventRecord> records = consumer.poll(pollTimeout);
    if (records.isEmpty()) {
      return 0;
    }
    boolean begun = false;
    try {
      producer.beginTransaction();
      begun = true;
      Map<TopicPartition, Long> next = new LinkedHashMap<>();
      for (EventRecord r : records) {
        transformAndSend(r);
        next.put(r.topicPartition(), r.offset() + 1);
      }
      producer.sendOffsetsToTransaction(next, consumer);
      producer.commitTransaction();
    } catch (RuntimeException e) {
      RuntimeException thrown = recover(records, begun, e);
      if (e instanceof TransformException && e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt(); // restored only now: the abort and rewind do I/O
      }
      throw thrown;
    }
    return records.size();
  }

  /** Runs the transform of {@code r} and sends its outputs, in the record's consumer span. */
  private void transformAndSend(EventRecord r) {
    TelemetrySpan span = consumerSpan(r);
    Throwable failure = null;
    long t0 = red == null ? 0 : System.nanoTime();
    try {
      List<OutgoingRecord> outputs = transform(span, r);
      span.context().run(() -> send(outputs));
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    } finally {
      HopSpans.consumerDone(span, failure);
      ConsumerTelemetry c = red;
      if (c != null) {
        c.record(r, io.bulwark.core.telemetry.Outcome.of(failure), System.nanoTime() - t0);
      }
    }
  }

  /**
   * Sends {@code outputs} into the open transaction. Their futures need no watching: a send that
   * fails makes the commit fail (Kafka), or completes only with the commit (embedded).
   */
  private void send(List<OutgoingRecord> outputs) {
    for (OutgoingRecord o : outputs) {
      var unused = producer.send(o);
    }
  }

  private List<OutgoingRecord> transform(TelemetrySpan span, EventRecord r) {
    try {
      List<OutgoingRecord> outputs = span.context().call(() -> transform.apply(r));
      return Objects.requireNonNull(outputs, "the transform returned null instead of a list");
    } catch (Exception e) {
      throw new TransformException(r, e);
    }
  }

  private TelemetrySpan consumerSpan(EventRecord r) {
    try {
      return r.consumerSpan(tracing, CONTEXT_HEADERS);
    } catch (MalformedHeaderException e) { // still processed, with no sender context
      return HopSpans.consumer(tracing, Context.root(), r.topic(), r.partition(), r.offset());
    }
  }

  /**
   * Aborts the transaction (unless fenced: a fenced producer can do nothing more) and rewinds the
   * consumer; returns what {@code processOnce} throws. Failures of the abort or the rewind are
   * added to it as suppressed.
   */
  private RuntimeException recover(List<EventRecord> records, boolean begun, RuntimeException e) {
    ProducerFencedException fencing = fencing(e);
    if (fencing == null && begun) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException abortFailure) {
        fencing = fencing(abortFailure);
        e.addSuppressed(abortFailure);
      }
    }
    rewind(records, e);
    if (fencing == null) {
      return e;
    }
    ProducerFencedException stop =
        new ProducerFencedException(
            "a newer producer with the same transactional id fenced this processor's producer;"
                + " nothing of this batch was committed and the newer instance processes it."
                + " Close this producer and consumer ("
                + fencing.getMessage()
                + ")",
            e);
    fenced = stop;
    return stop;
  }

  /**
   * Seeks each polled partition still assigned to the group's committed offset, or where nothing is
   * committed yet, to its first polled offset (where this consumer started).
   */
  private void rewind(List<EventRecord> records, RuntimeException failure) {
    Map<TopicPartition, Long> first = new LinkedHashMap<>();
    records.forEach(r -> first.putIfAbsent(r.topicPartition(), r.offset()));
    try {
      Set<TopicPartition> assigned = consumer.assignment();
      first.forEach(
          (tp, offset) -> {
            if (assigned.contains(tp)) {
              consumer.seek(tp, consumer.committed(tp).orElse(offset));
            }
          });
    } catch (RuntimeException rewindFailure) {
      failure.addSuppressed(rewindFailure);
    }
  }

  private static @Nullable ProducerFencedException fencing(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException f) {
        return f;
      }
    }
    return null;
  }

  /** Builds an {@link ExactlyOnceProcessor}; each setter validates. */
  public static final class Builder {
    private final Consumer consumer;
    private final Producer producer;
    private final Transform transform;
    private Tracing tracing = Tracing.disabled();
    private @Nullable ConsumerTelemetry red;

    private Builder(Consumer consumer, Producer producer, Transform transform) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.producer = Objects.requireNonNull(producer, "producer");
      this.transform = Objects.requireNonNull(transform, "transform");
    }

    /**
     * Where each record's {@code CONSUMER} span is recorded (e.g. {@code telemetry.tracing()});
     * default {@link Tracing#disabled()}: nothing recorded, but the transform still runs under a
     * span id of its own in the sender's trace.
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

    public ExactlyOnceProcessor build() {
      return new ExactlyOnceProcessor(this);
    }
  }
}
