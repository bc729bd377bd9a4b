package io.bulwark.bench.telemetry;

import io.bulwark.bench.CountingSpanExporter;
import io.bulwark.core.context.Context;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one recorded span: start a sampled root span, set two attributes (a string and a
 * number), add one event, end it, and have it exported in batches to an exporter that only counts
 * what it receives. Bulwark ({@code BulwarkTelemetry.tracing()}, sampling ratio 1, the exporter
 * added with {@code addSpanExporter}: Bulwark's batch queue and exporter thread) vs the raw
 * OpenTelemetry SDK configured as its documentation recommends for the same job (a tracer whose
 * {@link BatchSpanProcessor} feeds the same kind of exporter; parent-based ratio-1 sampler;
 * attribute keys built once). Both sides batch 512 spans from a queue of 2048 and drop (never
 * block) when it is full, and counts the drops without logging them (the SDK's processor logs a
 * WARNING per export after drops: its logger is turned off here, as Bulwark only counts them, so
 * that neither side spends the run writing log lines). After the run each side is flushed and must
 * have exported at least half of the spans it started, or the benchmark fails (the counts are
 * printed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordedSpanBenchmark {
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");

  // held so that the level set in setUp stays set (JUL keeps loggers weakly)
  private static final Logger OTEL_BATCH_LOG = Logger.getLogger(BatchSpanProcessor.class.getName());

  private final CountingSpanExporter bulwarkExported = new CountingSpanExporter();
  private final CountingSpanExporter otelExported = new CountingSpanExporter();
  private long bulwarkStarted;
  private long otelStarted;

  private BulwarkTelemetry bulwark;
  private Tracing tracing;
  private SdkTracerProvider otelTracers;
  private Tracer otelTracer;

  @Setup
  public void setUp() {
    OTEL_BATCH_LOG.setLevel(Level.OFF);
    bulwark =
        BulwarkTelemetry.builder()
            .serviceName("bench")
            .samplingRatio(1.0)
            .addSpanExporter(bulwarkExported)
            .build();
    tracing = bulwark.tracing();
    otelTracers =
        SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(1.0)))
            .addSpanProcessor(BatchSpanProcessor.builder(otelExported).build())
            .build();
    otelTracer = otelTracers.get("bench");
  }

  @TearDown
  public void tearDown() {
    bulwark.flush(10_000);
    otelTracers.forceFlush().join(10, TimeUnit.SECONDS);
    bulwark.close();
    otelTracers.close();
    check("bulwark", bulwarkStarted, bulwarkExported.spans());
    check("otel", otelStarted, otelExported.spans());
  }

  private static void check(String side, long started, long exported) {
    if (started == 0) {
      return;
    }
    System.out.printf("%n[recordedSpan %s] started %d, exported %d%n", side, started, exported);
    if (exported < started / 2 || exported > started) {
      throw new IllegalStateException(
          side + " exported " + exported + " of " + started + " recorded spans");
    }
  }

  @Benchmark
  public TelemetrySpan recordedSpan_bulwark() {
    bulwarkStarted++;
    TelemetrySpan span = tracing.startSpan("GET /checkout", SpanKind.SERVER, Context.root());
    span.attribute("http.request.method", "GET");
    span.attribute("http.response.status_code", 200);
    span.event("handler.done");
    span.end();
    return span;
  }

  @Benchmark
  public Span recordedSpan_otel() {
    otelStarted++;
    Span span =
        otelTracer
            .spanBuilder("GET /checkout")
            .setNoParent()
            .setSpanKind(io.opentelemetry.api.trace.SpanKind.SERVER)
            .startSpan();
    span.setAttribute(METHOD, "GET");
    span.setAttribute(STATUS, 200L);
    span.addEvent("handler.done");
    span.end();
    return span;
  }
}
