package io.bulwark.events;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.Clock;
import io.bulwark.events.internal.RecordContext;
import org.jspecify.annotations.Nullable;

/**
 * A record read from the log. Immutable; the byte arrays must not be modified.
 *
 * @param offset the record's position in its partition (dense on the embedded log; may have gaps on
 *     Kafka where transaction markers take offsets)
 */
@SuppressWarnings("ArrayRecordComponent") // documented as immutable; copying would cost a hot path
public record EventRecord(
    String topic,
    int partition,
    long offset,
    long timestampMillis,
    byte @Nullable [] key,
    byte @Nullable [] value,
    Headers headers) {

  /**
   * The header holding the sender's deadline as wall-clock epoch milliseconds (records are read
   * later and elsewhere, so the time left at send would mean nothing on arrival).
   */
  public static final String DEADLINE_AT_HEADER = "bulwark-deadline-at";

  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }

  /** The key decoded by {@code serde}, or null if the record has no key. */
  public <K> @Nullable K key(Serde<K> serde) {
    byte[] k = key;
    return k == null ? null : serde.deserialize(k);
  }

  /** The value decoded by {@code serde}, or null if the record has no value (a tombstone). */
  public <V> @Nullable V value(Serde<V> serde) {
    byte[] v = value;
    return v == null ? null : serde.deserialize(v);
  }

  /**
   * The sender's context (trace, deadline, criticality, correlation id) restored from headers. The
   * deadline is the sender's absolute deadline measured on this machine's wall clock: a record read
   * after it passed has an expired deadline.
   */
  public Context context(ContextHeaders codec) {
    return context(codec, Clock.system());
  }

  /** As {@link #context(ContextHeaders)}, measuring the deadline from now on {@code wallClock}. */
  public Context context(ContextHeaders codec, Clock wallClock) {
    return RecordContext.extract(headers, codec, wallClock);
  }

  /**
   * Starts the {@code CONSUMER} span of processing this record: a child of the producer's span
   * restored from the headers, with a link to it. Run the processing under the span's {@link
   * TelemetrySpan#context() context} (the sender's context with the consumer span's trace, without
   * the sender's deadline: processing an event is not bound by the request that caused it, which
   * has often given up by then; {@link #context(ContextHeaders)} still tells whether it has) and
   * end it with {@link HopSpans#consumerDone}; with {@link Tracing#disabled()} nothing is recorded
   * but the context still has a span id of its own.
   *
   * @throws io.bulwark.core.context.MalformedHeaderException if a context header is malformed
   */
  public TelemetrySpan consumerSpan(Tracing tracing, ContextHeaders codec) {
    return HopSpans.consumer(tracing, context(codec).withoutDeadline(), topic, partition, offset);
  }
}
