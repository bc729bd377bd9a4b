package io.bulwark.events.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.telemetry.BulwarkTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Telemetry whose ended spans are kept in memory, for tests of the span tree. */
public final class CollectedSpans implements SpanExporter {
  private final List<SpanData> spans = new CopyOnWriteArrayList<>();

  /** Telemetry for {@code service} that exports every ended span to {@code this}. */
  public BulwarkTelemetry telemetry(String service) {
    return BulwarkTelemetry.builder()
        .serviceName(service)
        .addSpanProcessor(SimpleSpanProcessor.create(this))
        .build();
  }

  /** The spans ended so far, in the order they ended. */
  public List<SpanData> all() {
    return List.copyOf(spans);
  }

  /** The one span of {@code kind} ended so far (fails if there are none or several). */
  public SpanData only(SpanKind kind) {
    List<SpanData> found = spans.stream().filter(s -> s.getKind() == kind).toList();
    assertThat(found).as("%s spans in %s", kind, spans).hasSize(1);
    return found.get(0);
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> ended) {
    spans.addAll(ended);
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
