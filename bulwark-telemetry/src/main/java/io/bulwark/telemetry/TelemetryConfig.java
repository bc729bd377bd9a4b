package io.bulwark.telemetry;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.config.Durations;
import io.bulwark.core.time.Clock;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Immutable configuration of {@link BulwarkTelemetry}. Every setter of the {@link Builder}
 * validates its value and names it in the error; {@link #bind(ConfigReader)} binds the same
 * settings from a YAML section (keys: {@code service-name}, {@code enabled}, {@code
 * sampling-ratio}, {@code max-names-per-dimension}, {@code duration-buckets}, {@code
 * otlp-endpoint}, {@code otlp-interval}); settings YAML cannot hold (clock, span processors and
 * exporters) are added through {@link #toBuilder()}.
 */
public final class TelemetryConfig {
  /** Prometheus' default buckets, in seconds. */
  public static final List<Duration> DEFAULT_BUCKETS =
      List.of(
          Duration.ofMillis(5),
          Duration.ofMillis(10),
          Duration.ofMillis(25),
          Duration.ofMillis(50),
          Duration.ofMillis(100),
          Duration.ofMillis(250),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofMillis(2500),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10));

  private final String serviceName;
  private final boolean enabled;
  private final Clock clock;
  private final double samplingRatio;
  private final int maxNamesPerDimension;
  private final List<Duration> durationBuckets;
  private final @Nullable URI otlpEndpoint;
  private final Duration otlpInterval;
  private final List<SpanProcessor> spanProcessors;
  private final List<SpanExporter> spanExporters;

  private TelemetryConfig(Builder b) {
    this.serviceName = b.serviceName;
    this.enabled = b.enabled;
    this.clock = b.clock;
    this.samplingRatio = b.samplingRatio;
    this.maxNamesPerDimension = b.maxNamesPerDimension;
    this.durationBuckets = b.durationBuckets;
    this.otlpEndpoint = b.otlpEndpoint;
    this.otlpInterval = b.otlpInterval;
    this.spanProcessors = List.copyOf(b.spanProcessors);
    this.spanExporters = List.copyOf(b.spanExporters);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values, span processors and exporters included. */
  public Builder toBuilder() {
    Builder b =
        builder()
            .serviceName(serviceName)
            .enabled(enabled)
            .clock(clock)
            .samplingRatio(samplingRatio)
            .maxNamesPerDimension(maxNamesPerDimension)
            .durationBuckets(durationBuckets)
            .otlpInterval(otlpInterval);
    if (otlpEndpoint != null) {
      b.otlpEndpoint(otlpEndpoint);
    }
    spanProcessors.forEach(b::addSpanProcessor);
    spanExporters.forEach(b::addSpanExporter);
    return b;
  }

  /**
   * Binds a YAML section onto the defaults of {@link #builder()} (problems are reported by the
   * config loader with file and line).
   */
  public static TelemetryConfig bind(ConfigReader r) {
    Builder b = builder();
    r.string("service-name", b::serviceName)
        .bool("enabled", b::enabled)
        .decimal("sampling-ratio", b::samplingRatio)
        .integer("max-names-per-dimension", b::maxNamesPerDimension)
        .duration("otlp-interval", b::otlpInterval)
        .string("otlp-endpoint", s -> b.otlpEndpoint(URI.create(s)))
        .strings(
            "duration-buckets",
            list -> b.durationBuckets(list.stream().map(Durations::parse).toList()));
    return b.buildConfig();
  }

  public String serviceName() {
    return serviceName;
  }

  public boolean enabled() {
    return enabled;
  }

  public Clock clock() {
    return clock;
  }

  public double samplingRatio() {
    return samplingRatio;
  }

  public int maxNamesPerDimension() {
    return maxNamesPerDimension;
  }

  public List<Duration> durationBuckets() {
    return durationBuckets;
  }

  public @Nullable URI otlpEndpoint() {
    return otlpEndpoint;
  }

  public Duration otlpInterval() {
    return otlpInterval;
  }

  List<SpanProcessor> spanProcessors() {
    return spanProcessors;
  }

  List<SpanExporter> spanExporters() {
    return spanExporters;
  }

  Sampler sampler() {
    return Sampler.parentBased(Sampler.traceIdRatioBased(samplingRatio));
  }

  long[] bucketBoundsNanos() {
    return durationBuckets.stream().mapToLong(Duration::toNanos).toArray();
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private String serviceName = "bulwark";
    private boolean enabled = true;
    private Clock clock = Clock.system();
    private double samplingRatio = 1.0;
    private int maxNamesPerDimension = 200;
    private List<Duration> durationBuckets = DEFAULT_BUCKETS;
    private @Nullable URI otlpEndpoint;
    private Duration otlpInterval = Duration.ofSeconds(30);
    private final List<SpanProcessor> spanProcessors = new ArrayList<>();
    private final List<SpanExporter> spanExporters = new ArrayList<>();

    private Builder() {}

    /** The {@code service.name} resource attribute. */
    public Builder serviceName(String serviceName) {
      this.serviceName = Checks.notBlank("serviceName", serviceName);
      return this;
    }

    /** False turns all recording into no-ops. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Fraction of root traces sampled, 0 to 1 (children follow their parent's decision). */
    public Builder samplingRatio(double samplingRatio) {
      this.samplingRatio = Checks.fraction("samplingRatio", samplingRatio);
      return this;
    }

    /** Most distinct names per dimension (endpoints, dependencies, components), 1 to 10000. */
    public Builder maxNamesPerDimension(int max) {
      this.maxNamesPerDimension = Checks.inRange("maxNamesPerDimension", max, 1, 10_000);
      return this;
    }

    /** Upper bounds of the duration histogram buckets: positive and strictly increasing. */
    public Builder durationBuckets(List<Duration> bounds) {
      if (bounds.isEmpty() || bounds.size() > 64) {
        throw new IllegalArgumentException(
            "durationBuckets must hold 1 to 64 bounds, was " + bounds.size());
      }
      Duration previous = Duration.ZERO;
      for (Duration d : bounds) {
        if (d.compareTo(previous) <= 0) {
          throw new IllegalArgumentException(
              "durationBuckets must be positive and strictly increasing, was " + bounds);
        }
        previous = d;
      }
      this.durationBuckets = List.copyOf(bounds);
      return this;
    }

    /** Turns OTLP/HTTP export on, e.g. {@code http://localhost:4318}. Off by default. */
    public Builder otlpEndpoint(URI endpoint) {
      String scheme = endpoint.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException(
            "otlpEndpoint must be an http or https URI, was \"" + endpoint + "\"");
      }
      this.otlpEndpoint = endpoint;
      return this;
    }

    /** How often metrics are pushed over OTLP, at least 1 second. */
    public Builder otlpInterval(Duration interval) {
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("otlpInterval must be at least 1s, was " + interval);
      }
      this.otlpInterval = interval;
      return this;
    }

    /**
     * An extra span processor (e.g. a {@code SimpleSpanProcessor} of a test exporter). Its {@code
     * onEnd} sees every recorded span, on the thread that ends it. A processor that needs {@code
     * onStart} ({@code isStartRequired()}) makes this telemetry record its spans through the SDK's
     * tracer, which costs more per span (see docs/observability.md).
     */
    public Builder addSpanProcessor(SpanProcessor processor) {
      spanProcessors.add(Objects.requireNonNull(processor, "processor"));
      return this;
    }

    /**
     * An exporter that receives recorded spans in batches (up to 512) from Bulwark's export queue
     * (2048 spans; a span that finds it full is dropped and counted as {@code
     * bulwark_spans_dropped_total}, the caller never waits), on one exporter thread.
     */
    public Builder addSpanExporter(SpanExporter exporter) {
      spanExporters.add(Objects.requireNonNull(exporter, "exporter"));
      return this;
    }

    public TelemetryConfig buildConfig() {
      return new TelemetryConfig(this);
    }

    public BulwarkTelemetry build() {
      return BulwarkTelemetry.create(buildConfig());
    }
  }
}
