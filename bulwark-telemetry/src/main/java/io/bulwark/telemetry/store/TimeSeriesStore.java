package io.bulwark.telemetry.store;

import io.bulwark.core.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An embedded in-memory time-series store: one ring buffer per series, one value per step of {@link
 * #resolution()} (a later write in the same step replaces the earlier one), kept for {@link
 * #retention()}. Time comes from the injected {@link Clock}; step {@code n} covers {@code [origin +
 * n*resolution, origin + (n+1)*resolution)} where the origin is the clock reading at creation.
 *
 * <p>Queries follow Prometheus semantics where one exists: {@link #increase} is the counter
 * difference over the window (a counter with no sample before the window counts from 0), {@link
 * #histogramQuantile} is {@code histogram_quantile} over bucket increases, {@link #quantile} is
 * {@code quantile_over_time} (linear interpolation between closest ranks). Windows must be whole
 * multiples of the resolution and no longer than the retention. Thread-safe.
 */
public final class TimeSeriesStore {
  private final Clock clock;
  private final long stepNanos;
  private final int capacity;
  private final int maxSeries;
  private final long originNanos;
  private final long originWallMillis;
  private final ConcurrentHashMap<SeriesKey, RingSeries> series = new ConcurrentHashMap<>();

  private TimeSeriesStore(Builder b) {
    this.clock = b.clock;
    this.stepNanos = b.resolution.toNanos();
    this.capacity = (int) (b.retention.toNanos() / stepNanos) + 1;
    this.maxSeries = b.maxSeries;
    this.originNanos = clock.nanoTime();
    this.originWallMillis = clock.wallMillis();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Duration resolution() {
    return Duration.ofNanos(stepNanos);
  }

  public Duration retention() {
    return Duration.ofNanos(stepNanos * (capacity - 1));
  }

  /** The current step number. */
  public long currentStep() {
    return Math.floorDiv(clock.nanoTime() - originNanos, stepNanos);
  }

  /**
   * Stores {@code value} for {@code key} at the current step.
   *
   * @throws IllegalStateException if this would exceed the series limit
   */
  public void record(SeriesKey key, double value) {
    RingSeries s = series.get(key);
    if (s == null) {
      if (series.size() >= maxSeries) {
        throw new IllegalStateException(
            "time-series store holds at most " + maxSeries + " series; refusing " + key);
      }
      s = series.computeIfAbsent(key, k -> new RingSeries(capacity));
    }
    s.put(currentStep(), value);
  }

  /** The latest value of {@code key}, or NaN. */
  public double latest(SeriesKey key) {
    RingSeries s = series.get(key);
    return s == null ? Double.NaN : s.valueAtOrBefore(currentStep());
  }

  /** The samples of {@code key} in the last {@code window} (steps {@code now-k+1 .. now}). */
  public List<Sample> range(SeriesKey key, Duration window) {
    long k = steps(window);
    long now = currentStep();
    RingSeries s = series.get(key);
    if (s == null) {
      return List.of();
    }
    double[][] values = new double[1][];
    long[] st = s.stepsBetween(now - k + 1, now, values);
    List<Sample> out = new ArrayList<>(st.length);
    for (int i = 0; i < st.length; i++) {
      out.add(new Sample(timeOf(st[i]), values[0][i]));
    }
    return out;
  }

  /** Counter increase of {@code key} over {@code window}: value now minus value k steps ago. */
  public double increase(SeriesKey key, Duration window) {
    long k = steps(window);
    RingSeries s = series.get(key);
    if (s == null) {
      return 0;
    }
    long now = currentStep();
    double end = s.valueAtOrBefore(now);
    double start = s.valueAtOrBefore(now - k);
    return (Double.isNaN(end) ? 0 : end) - (Double.isNaN(start) ? 0 : start);
  }

  /** Sum of {@link #increase} over every series of {@code metric} matching {@code selector}. */
  public double sumIncrease(String metric, Map<String, String> selector, Duration window) {
    steps(window);
    double sum = 0;
    for (SeriesKey key : seriesOf(metric, selector)) {
      sum += increase(key, window);
    }
    return sum;
  }

  /** The series of {@code metric} whose labels match {@code selector}. */
  public List<SeriesKey> seriesOf(String metric, Map<String, String> selector) {
    List<SeriesKey> out = new ArrayList<>();
    for (SeriesKey key : series.keySet()) {
      if (key.metric().equals(metric) && key.matches(selector)) {
        out.add(key);
      }
    }
    return out;
  }

  /**
   * The {@code q}-quantile of the samples of {@code key} in the window: values sorted, rank {@code
   * q*(n-1)}, linear interpolation between the two closest ranks. NaN if there are no samples.
   */
  public double quantile(SeriesKey key, double q, Duration window) {
    checkQuantile(q);
    double[] v = range(key, window).stream().mapToDouble(Sample::value).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    double rank = q * (v.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return v[lo] + (v[hi] - v[lo]) * (rank - lo);
  }

  /**
   * Prometheus' {@code histogram_quantile(q, increase(<metric>_bucket{selector}[window]))}: the
   * bucket series are {@code metric + "_bucket"} with an {@code le} label. NaN without data. If the
   * quantile falls in the {@code +Inf} bucket the largest finite bound is returned.
   */
  public double histogramQuantile(
      String histogram, Map<String, String> selector, double q, Duration window) {
    checkQuantile(q);
    List<double[]> buckets = new ArrayList<>(); // {upperBound, cumulativeIncrease}
    for (SeriesKey key : seriesOf(histogram + "_bucket", selector)) {
      String le = key.labels().get("le");
      if (le != null) {
        buckets.add(new double[] {parseLe(le), increase(key, window)});
      }
    }
    buckets.sort((a, b) -> Double.compare(a[0], b[0]));
    if (buckets.isEmpty() || buckets.getLast()[0] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    double total = buckets.getLast()[1];
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (int i = 0; i < buckets.size(); i++) {
      double upper = buckets.get(i)[0];
      double count = buckets.get(i)[1];
      if (count >= rank) {
        if (upper == Double.POSITIVE_INFINITY) {
          return i == 0 ? Double.NaN : buckets.get(i - 1)[0];
        }
        if (count == lowerCount) {
          return upper;
        }
        return lowerBound + (upper - lowerBound) * (rank - lowerCount) / (count - lowerCount);
      }
      lowerBound = upper;
      lowerCount = count;
    }
    return Double.NaN;
  }

  /** Number of series held. */
  public int seriesCount() {
    return series.size();
  }

  private Instant timeOf(long step) {
    return Instant.ofEpochMilli(originWallMillis).plusNanos(step * stepNanos);
  }

  private long steps(Duration window) {
    long n = window.toNanos();
    if (n <= 0 || n % stepNanos != 0) {
      throw new IllegalArgumentException(
          "window "
              + window
              + " must be a positive whole multiple of the resolution "
              + Duration.ofNanos(stepNanos));
    }
    long k = n / stepNanos;
    if (k >= capacity) {
      throw new IllegalArgumentException(
          "window " + window + " is longer than the retention " + retention());
    }
    return k;
  }

  private static void checkQuantile(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be between 0 and 1, was " + q);
    }
  }

  static double parseLe(String le) {
    return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  @Override
  public String toString() {
    return "TimeSeriesStore[series=" + series.size() + ", capacity=" + capacity + "]";
  }

  /** Builder; validates each value in its setter. */
  public static final class Builder {
    private Clock clock = Clock.system();
    private Duration resolution = Duration.ofSeconds(10);
    private Duration retention = Duration.ofDays(3).plusHours(1);
    private int maxSeries = 10_000;

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Step length, at least 1 ms. */
    public Builder resolution(Duration resolution) {
      if (resolution.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("resolution must be at least 1ms, was " + resolution);
      }
      this.resolution = resolution;
      return this;
    }

    /** How long samples are kept; with the resolution it may give at most 10 million steps. */
    public Builder retention(Duration retention) {
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be positive, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    /** Most series held, 1 to 1,000,000. */
    public Builder maxSeries(int maxSeries) {
      if (maxSeries < 1 || maxSeries > 1_000_000) {
        throw new IllegalArgumentException(
            "maxSeries must be between 1 and 1000000, was " + maxSeries);
      }
      this.maxSeries = maxSeries;
      return this;
    }

    public TimeSeriesStore build() {
      if (retention.compareTo(resolution) < 0) {
        throw new IllegalArgumentException(
            "retention " + retention + " is shorter than the resolution " + resolution);
      }
      if (retention.toNanos() / resolution.toNanos() > 10_000_000L) {
        throw new IllegalArgumentException(
            "retention " + retention + " / resolution " + resolution + " exceeds 10 million steps");
      }
      return new TimeSeriesStore(this);
    }
  }
}
