package io.bulwark.telemetry;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.MetricsScrape;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.Clock;
import io.bulwark.telemetry.internal.ActiveSpans;
import io.bulwark.telemetry.internal.BulwarkMetricProducer;
import io.bulwark.telemetry.internal.BulwarkTracing;
import io.bulwark.telemetry.internal.OtelClock;
import io.bulwark.telemetry.internal.OtelDecisions;
import io.bulwark.telemetry.internal.OtelTracing;
import io.bulwark.telemetry.internal.SpanBatcher;
import io.bulwark.telemetry.internal.SpanPipeline;
import io.bulwark.telemetry.internal.TelemetryState;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry-backed {@link Telemetry}: the one place where what Bulwark components report is
 * mapped onto OpenTelemetry. Listeners of the resilience, HTTP, events, saga and chaos modules call
 * {@link #endpoint(String)} / {@link #dependency(String)} for RED metrics, {@link #decisions()} for
 * decision events and {@link #tracing()} for spans through the {@link Telemetry} interface of
 * bulwark-core; this class maps all of it onto the OpenTelemetry SDK and exposes it as Prometheus
 * text ({@link #scrapePrometheus()}, {@link PrometheusEndpoint}), over OTLP (off unless configured)
 * and to the embedded {@link io.bulwark.telemetry.store.TimeSeriesStore} through a {@link
 * io.bulwark.telemetry.store.StoreScraper}.
 *
 * <p>Guarantees: recording is lock-free and allocation-free once a recorder is obtained; the number
 * of endpoint, dependency and decision label values is bounded ({@link
 * TelemetryConfig#maxNamesPerDimension()}), extra names share the {@code _overflow} series; a
 * disabled instance ({@link #noop()}) records nothing. Sampled spans are recorded by Bulwark itself
 * (a compact record per span, no SDK span) and handed, when they end, to the configured span
 * processors' {@code onEnd} and to the span exporters through a bounded batch queue that never
 * blocks (a full queue drops and counts the span, {@code bulwark_spans_dropped_total}); only a
 * processor that needs {@code onStart} makes spans go through the SDK's tracer. Thread-safe. {@link
 * #close()} flushes and shuts down the exporters and the SDK.
 */
public final class BulwarkTelemetry implements Telemetry, AutoCloseable {
  private final TelemetryConfig config;
  private final TelemetryState state;
  private final OpenTelemetrySdk sdk;
  private final PrometheusMetricReader prometheus;
  private final Tracing tracing;
  private final Decisions decisions;
  private final @Nullable SpanBatcher batcher;

  private BulwarkTelemetry(TelemetryConfig config) {
    this.config = config;
    this.state = new TelemetryState(config.bucketBoundsNanos(), config.maxNamesPerDimension());
    Clock clock = config.clock();
    Resource resource =
        Resource.getDefault()
            .merge(Resource.builder().put("service.name", config.serviceName()).build());
    this.prometheus = PrometheusMetricReader.builder().build();
    SdkMeterProviderBuilder meters =
        SdkMeterProvider.builder()
            .setClock(new OtelClock(clock))
            .setResource(resource)
            .registerMetricReader(prometheus)
            .registerMetricProducer(new BulwarkMetricProducer(state, clock));
    SdkTracerProviderBuilder tracers =
        SdkTracerProvider.builder()
            .setClock(new OtelClock(clock))
            .setResource(resource)
            .setSampler(config.sampler());
    config.spanProcessors().forEach(tracers::addSpanProcessor);
    List<SpanExporter> exporters = new ArrayList<>(config.spanExporters());
    if (config.otlpEndpoint() != null) {
      String base = config.otlpEndpoint().toString().replaceAll("/+$", "");
      meters.registerMetricReader(
          PeriodicMetricReader.builder(
                  OtlpHttpMetricExporter.builder().setEndpoint(base + "/v1/metrics").build())
              .setInterval(config.otlpInterval())
              .build());
      exporters.add(OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces").build());
    }
    // Bulwark records its spans itself unless a processor must see them start (then the SDK does)
    boolean viaSdk = config.spanProcessors().stream().anyMatch(SpanProcessor::isStartRequired);
    if (viaSdk) {
      exporters.forEach(e -> tracers.addSpanProcessor(BatchSpanProcessor.builder(e).build()));
    }
    this.sdk =
        OpenTelemetrySdk.builder()
            .setMeterProvider(meters.build())
            .setTracerProvider(tracers.build())
            .build();
    ActiveSpans active = new ActiveSpans();
    if (viaSdk) {
      this.batcher = null;
      this.tracing =
          new OtelTracing(sdk.getTracer("io.bulwark.telemetry"), active, config.enabled());
    } else {
      this.batcher =
          exporters.isEmpty()
              ? null
              : new SpanBatcher(SpanExporter.composite(exporters), state, clock);
      SpanPipeline pipeline =
          new SpanPipeline(clock, resource, active, config.spanProcessors(), batcher);
      this.tracing = new BulwarkTracing(pipeline, active, config.samplingRatio(), config.enabled());
    }
    this.decisions = new OtelDecisions(state, active, config.enabled());
  }

  /** Telemetry with {@code config}. */
  public static BulwarkTelemetry create(TelemetryConfig config) {
    return new BulwarkTelemetry(config);
  }

  /** A builder of {@link TelemetryConfig} that builds the telemetry directly. */
  public static TelemetryConfig.Builder builder() {
    return TelemetryConfig.builder();
  }

  /**
   * A disabled instance that records nothing: recorders are no-ops, spans are sampled out; its
   * scrape is empty. Where no SDK is wanted at all, {@link Telemetry#noop()} is lighter.
   */
  public static BulwarkTelemetry noop() {
    return create(TelemetryConfig.builder().enabled(false).buildConfig());
  }

  @Override
  public RedRecorder endpoint(String name) {
    Telemetry.checkName("endpoint", name);
    return config.enabled() ? state.endpoint(name) : NoopRecorder.INSTANCE;
  }

  @Override
  public RedRecorder dependency(String name) {
    Telemetry.checkName("dependency", name);
    return config.enabled() ? state.dependency(name) : NoopRecorder.INSTANCE;
  }

  @Override
  public Decisions decisions() {
    return decisions;
  }

  @Override
  public Tracing tracing() {
    return tracing;
  }

  /** {@link #scrapePrometheus()} in the Prometheus text format, for a server's {@code /metrics}. */
  @Override
  public Optional<MetricsScrape> scrape() {
    return Optional.of(
        new MetricsScrape() {
          @Override
          public String contentType() {
            return PrometheusEndpoint.CONTENT_TYPE;
          }

          @Override
          public String scrape() {
            return scrapePrometheus();
          }
        });
  }

  /** The OTel API instance (for libraries that take one); its metrics are exported too. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  public TelemetryConfig config() {
    return config;
  }

  /** Snapshots of every RED series of {@code kind} ({@code endpoint} or {@code dependency}). */
  public List<RedSnapshot> redSnapshots(String kind) {
    return state.snapshots(kind);
  }

  /**
   * The chaos cohort series of every RED series of {@code kind}, as (cohort label, snapshot) pairs;
   * empty unless requests were recorded while a chaos fault was active.
   */
  public List<java.util.Map.Entry<String, RedSnapshot>> cohortSnapshots(String kind) {
    return state.cohortSnapshots(kind);
  }

  /** Everything the SDK knows (Bulwark RED, decisions, any OTel instrument) as Prometheus text. */
  public String scrapePrometheus() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create()
          .write(out, prometheus.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Flushes pending exports (span exporters, OTLP, span processors) and waits up to {@code
   * timeoutMillis} for each.
   */
  public void flush(long timeoutMillis) {
    if (batcher != null) {
      batcher.flush().join(timeoutMillis, TimeUnit.MILLISECONDS);
    }
    sdk.getSdkMeterProvider().forceFlush().join(timeoutMillis, TimeUnit.MILLISECONDS);
    sdk.getSdkTracerProvider().forceFlush().join(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Exports the spans still queued, shuts the exporters and the SDK down (waits up to 5 s each).
   * Spans that end afterwards are dropped (and counted).
   */
  @Override
  public void close() {
    if (batcher != null) {
      batcher.shutdown(5_000);
    }
    sdk.shutdown().join(5, TimeUnit.SECONDS);
  }

  private static final class NoopRecorder implements RedRecorder {
    static final NoopRecorder INSTANCE = new NoopRecorder();

    @Override
    public String name() {
      return "noop";
    }

    @Override
    public void record(Outcome outcome, long durationNanos) {}
  }
}
