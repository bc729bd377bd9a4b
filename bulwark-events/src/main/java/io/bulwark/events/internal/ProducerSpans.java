package io.bulwark.events.internal;

import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.events.RecordMetadata;
import java.util.concurrent.CompletableFuture;

/** Ends the {@code PRODUCER} span of a send when the send is acknowledged or fails. */
public final class ProducerSpans {
  private ProducerSpans() {}

  /**
   * The future to hand to the caller of a send whose acknowledgement completes {@code acked}: it
   * completes with the same result (or the same, unwrapped exception) once {@code span} has ended,
   * so a caller that has its acknowledgement finds the span exported. Without a recording span it
   * is {@code acked} itself, at no cost.
   */
  public static CompletableFuture<RecordMetadata> endWhenDone(
      TelemetrySpan span, CompletableFuture<RecordMetadata> acked) {
    if (!span.isRecording()) {
      return acked;
    }
    CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
    // the stage whenComplete returns is not needed: result carries the outcome, unwrapped
    var unused =
        acked.whenComplete(
            (m, e) -> {
              HopSpans.producerDone(
                  span, m == null ? -1 : m.partition(), m == null ? -1 : m.offset(), e);
              if (e != null) {
                result.completeExceptionally(e);
              } else {
                result.complete(m);
              }
            });
    return result;
  }
}
