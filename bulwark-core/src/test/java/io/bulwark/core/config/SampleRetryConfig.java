package io.bulwark.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A config shaped like the real ones: builder validates at each setter, build() checks pairs. */
record SampleRetryConfig(
    int maxAttempts,
    Duration backoff,
    double jitter,
    boolean enabled,
    Mode mode,
    List<String> retryOn) {
  enum Mode {
    FULL_JITTER,
    DECORRELATED
  }

  static Builder builder() {
    return new Builder();
  }

  static SampleRetryConfig bind(ConfigReader r) {
    Builder b = builder();
    r.integer("max-attempts", b::maxAttempts)
        .duration("backoff", b::backoff)
        .decimal("jitter", b::jitter)
        .bool("enabled", b::enabled)
        .enumValue("mode", Mode.class, b::mode)
        .strings("retry-on", b::retryOn);
    return b.build();
  }

  /** A root document with named sections: {@code pipelines: {name: {retry: {...}}}}. */
  static Map<String, SampleRetryConfig> bindPipelines(ConfigReader root) {
    return root.namedSections(
        "pipelines", (name, p) -> p.require("retry").section("retry", SampleRetryConfig::bind));
  }

  static final class Builder {
    private int maxAttempts = 3;
    private Duration backoff = Duration.ofMillis(100);
    private double jitter = 0.5;
    private boolean enabled = true;
    private Mode mode = Mode.FULL_JITTER;
    private List<String> retryOn = List.of();

    Builder maxAttempts(int value) {
      if (value < 1 || value > 100) {
        throw new IllegalArgumentException("maxAttempts must be between 1 and 100, was " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    Builder backoff(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("backoff must not be negative, was " + value);
      }
      this.backoff = value;
      return this;
    }

    Builder jitter(double value) {
      if (value < 0 || value > 1) {
        throw new IllegalArgumentException("jitter must be between 0 and 1, was " + value);
      }
      this.jitter = value;
      return this;
    }

    Builder enabled(boolean value) {
      this.enabled = value;
      return this;
    }

    Builder mode(Mode value) {
      this.mode = value;
      return this;
    }

    Builder retryOn(List<String> value) {
      this.retryOn = value;
      return this;
    }

    SampleRetryConfig build() {
      return new SampleRetryConfig(maxAttempts, backoff, jitter, enabled, mode, retryOn);
    }
  }
}
