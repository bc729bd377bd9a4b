package io.bulwark.bench.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.ContextBridge;
import io.bulwark.telemetry.TelemetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-request cost of telemetry: recording one request's RED metrics (count with an outcome
 * label + duration histogram with the same 11 buckets) and starting/ending a span whose parent is
 * not sampled. Bulwark ({@link RedRecorder}, {@code Tracing}) vs the raw OpenTelemetry SDK
 * (synchronous instruments with pre-built attributes, a Prometheus reader attached so the SDK
 * really aggregates; parent-based sampler) vs Micrometer (SimpleMeterRegistry counter + timer with
 * the same SLO buckets; an Observation on a registry with no handlers). The span benchmarks return
 * what the request would propagate downstream, so the JIT cannot drop it: Bulwark passes the
 * unsampled parent's trace with a new span id (the id downstream services see as their parent), and
 * the OTel SDK mints a new span id for its non-recording span too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TelemetryRecordingBenchmark {
  private static final long DURATION_NANOS = 12_345_678;

  private BulwarkTelemetry bulwark;
  private RedRecorder recorder;
  private Context unsampledParent;

  private SdkMeterProvider otelMeters;
  private SdkTracerProvider otelTracers;
  private LongCounter otelCounter;
  private DoubleHistogram otelHistogram;
  private Attributes otelCountAttributes;
  private Attributes otelDurationAttributes;
  private Tracer otelTracer;
  private io.opentelemetry.context.Context otelUnsampledParent;

  private Counter micrometerCounter;
  private Timer micrometerTimer;
  private ObservationRegistry observations;

  @Setup
  public void setUp() {
    bulwark = BulwarkTelemetry.create(TelemetryConfig.builder().serviceName("bench").buildConfig());
    recorder = bulwark.endpoint("checkout");
    unsampledParent = Context.root().withTrace(TraceContext.newTrace(false));

    List<Double> bounds =
        TelemetryConfig.DEFAULT_BUCKETS.stream().map(d -> d.toNanos() / 1e9).toList();
    otelMeters =
        SdkMeterProvider.builder()
            .registerMetricReader(PrometheusMetricReader.builder().build())
            .registerView(
                InstrumentSelector.builder().setName("http.server.duration").build(),
                View.builder().setAggregation(Aggregation.explicitBucketHistogram(bounds)).build())
            .build();
    Meter meter = otelMeters.get("bench");
    otelCounter = meter.counterBuilder("http.server.requests").build();
    otelHistogram = meter.histogramBuilder("http.server.duration").setUnit("s").build();
    otelCountAttributes =
        Attributes.of(
            AttributeKey.stringKey("endpoint"), "checkout",
            AttributeKey.stringKey("outcome"), "success");
    otelDurationAttributes = Attributes.of(AttributeKey.stringKey("endpoint"), "checkout");
    otelTracers =
        SdkTracerProvider.builder().setSampler(Sampler.parentBased(Sampler.alwaysOn())).build();
    otelTracer = otelTracers.get("bench");
    otelUnsampledParent = ContextBridge.toOtel(unsampledParent);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    micrometerCounter =
        Counter.builder("requests")
            .tag("endpoint", "checkout")
            .tag("outcome", "success")
            .register(registry);
    micrometerTimer =
        Timer.builder("duration")
            .tag("endpoint", "checkout")
            .serviceLevelObjectives(TelemetryConfig.DEFAULT_BUCKETS.toArray(Duration[]::new))
            .register(registry);
    observations = ObservationRegistry.create();
  }

  @TearDown
  public void tearDown() {
    bulwark.close();
    otelMeters.close();
    otelTracers.close();
  }

  @Benchmark
  public void red_bulwark() {
    recorder.record(Outcome.SUCCESS, DURATION_NANOS);
  }

  @Benchmark
  public void red_otel() {
    otelCounter.add(1, otelCountAttributes);
    otelHistogram.record(DURATION_NANOS / 1e9, otelDurationAttributes);
  }

  @Benchmark
  public void red_micrometer() {
    micrometerCounter.increment();
    micrometerTimer.record(DURATION_NANOS, TimeUnit.NANOSECONDS);
  }

  @Benchmark
  public Context sampledOutSpan_bulwark() {
    var span =
        bulwark
            .tracing()
            .startSpan("GET /checkout", io.bulwark.core.telemetry.SpanKind.SERVER, unsampledParent);
    span.end();
    return span.context(); // what the request propagates downstream
  }

  @Benchmark
  public io.opentelemetry.api.trace.SpanContext sampledOutSpan_otel() {
    Span span =
        otelTracer
            .spanBuilder("GET /checkout")
            .setParent(otelUnsampledParent)
            .setSpanKind(SpanKind.SERVER)
            .startSpan();
    span.end();
    return span.getSpanContext(); // what the request propagates downstream
  }

  @Benchmark
  public Observation sampledOutSpan_micrometer() {
    Observation observation = Observation.start("checkout", observations);
    observation.stop();
    return observation;
  }
}
