package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.gameday.Scenarios;
import io.bulwark.examples.shop.load.LoadOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@code bulwark demo} runs. Built only with {@link #builder()} (or {@link #toBuilder()} to
 * change a copy); every setter validates and names the bad value (an {@link
 * IllegalArgumentException} the CLI turns into a usage error). Immutable, compared by value.
 */
public final class DemoOptions {

  /** The default load: busy on a 2-core machine, not saturated. */
  public static final double DEFAULT_RATE = 60;

  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(2);

  public static final long DEFAULT_SEED = 42;

  /** The default warm-up: long enough for the JIT on a busy 2-core machine. */
  public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(10);

  /**
   * The default warm-up in process mode: 14 cold JVMs need longer, at a rate that ramps up (see
   * {@code --processes} in docs/shop.md).
   */
  public static final Duration DEFAULT_PROCESS_WARMUP = Duration.ofSeconds(30);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s|m|h)?");

  private final String scenario;
  private final boolean resilience;
  private final boolean compare;
  private final boolean headless;
  private final boolean processes;
  private final Duration duration;
  private final Duration warmup;
  private final double rate;
  private final long seed;
  private final int basePort;
  private final @Nullable Path storage;
  private final Path reportDir;
  private final Set<Backend> backends;

  private DemoOptions(Builder b) {
    this.scenario = b.scenario;
    this.resilience = b.resilience;
    this.compare = b.compare;
    this.headless = b.headless;
    this.processes = b.processes;
    this.duration = b.duration;
    this.warmup = b.warmup;
    this.rate = b.rate;
    this.seed = b.seed;
    this.basePort = b.basePort;
    this.storage = b.storage;
    this.reportDir = b.reportDir;
    this.backends = b.backends;
  }

  /** The game day's scenario name (checked against {@link Scenarios}). */
  public String scenario() {
    return scenario;
  }

  /** Resilience on (true) or plain calls (false); ignored by {@code compare}. */
  public boolean resilience() {
    return resilience;
  }

  /** Run with resilience on, then off, with the same seed, and compare. */
  public boolean compare() {
    return compare;
  }

  /** One plain line per second instead of the live redraw. */
  public boolean headless() {
    return headless;
  }

  /**
   * True: the shop runs in the runtime's process mode, one child JVM per instance (the services
   * sharing the embedded event log stay in the demo's JVM); false (the default): in process.
   */
  public boolean processes() {
    return processes;
  }

  /** How long the load runs, per run. */
  public Duration duration() {
    return duration;
  }

  /** How long the load runs before each run, not judged (JIT warm-up); 0 for none. */
  public Duration warmup() {
    return warmup;
  }

  /** Scheduled user requests per second. */
  public double rate() {
    return rate;
  }

  /** The seed of the load and of the services. */
  public long seed() {
    return seed;
  }

  /** 0 for ephemeral ports, else the first of consecutive ports. */
  public int basePort() {
    return basePort;
  }

  /** Where the services' data goes; null: a fresh directory, deleted after the run. */
  public @Nullable Path storage() {
    return storage;
  }

  /** Where {@code --compare} writes its HTML report. */
  public Path reportDir() {
    return reportDir;
  }

  /** Where the events and the sagas run: {@code {EMBEDDED}} or Kafka and/or PostgreSQL. */
  public Set<Backend> backends() {
    return backends;
  }

  /** A builder holding these options: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.scenario = scenario;
    b.resilience = resilience;
    b.compare = compare;
    b.headless = headless;
    b.processes = processes;
    b.duration = duration;
    b.warmup = warmup;
    b.rate = rate;
    b.seed = seed;
    b.basePort = basePort;
    b.storage = storage;
    b.reportDir = reportDir;
    b.backends = backends;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof DemoOptions d
        && scenario.equals(d.scenario)
        && resilience == d.resilience
        && compare == d.compare
        && headless == d.headless
        && processes == d.processes
        && duration.equals(d.duration)
        && warmup.equals(d.warmup)
        && Double.compare(rate, d.rate) == 0
        && seed == d.seed
        && basePort == d.basePort
        && Objects.equals(storage, d.storage)
        && reportDir.equals(d.reportDir)
        && backends.equals(d.backends);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        scenario,
        resilience,
        compare,
        headless,
        processes,
        duration,
        warmup,
        rate,
        seed,
        basePort,
        storage,
        reportDir,
        backends);
  }

  @Override
  public String toString() {
    return "DemoOptions[scenario="
        + scenario
        + ", resilience="
        + resilience
        + ", compare="
        + compare
        + ", headless="
        + headless
        + ", processes="
        + processes
        + ", duration="
        + duration
        + ", warmup="
        + warmup
        + ", rate="
        + rate
        + ", seed="
        + seed
        + ", basePort="
        + basePort
        + ", storage="
        + storage
        + ", reportDir="
        + reportDir
        + ", backends="
        + backends
        + "]";
  }

  private static void checkWarmup(Duration warmup) {
    if (warmup.isNegative() || warmup.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException(
          "warmup must be 0 to 10m, was " + warmup.toMillis() + "ms");
    }
    if (!warmup.isZero() && warmup.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "warmup must be 0 or at least 1s, was " + warmup.toMillis() + "ms");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses a duration such as {@code 90s}, {@code 2m}, {@code 1500ms} or {@code 60} (seconds).
   * Throws naming the text when it is not one.
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "duration must look like 60s, 2m, 1500ms or 90, was \"" + text + "\"");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  /** Builds {@link DemoOptions} with the defaults of {@code bulwark demo}. */
  public static final class Builder {
    private String scenario = Scenarios.DEFAULT;
    private boolean resilience = true;
    private boolean compare;
    private boolean headless;
    private boolean processes;
    private Duration duration = DEFAULT_DURATION;
    private Duration warmup = DEFAULT_WARMUP;
    private double rate = DEFAULT_RATE;
    private long seed = DEFAULT_SEED;
    private int basePort;
    private @Nullable Path storage;
    private Path reportDir = Path.of("target", "bulwark-demo");
    private Set<Backend> backends = Set.of(Backend.EMBEDDED);

    private Builder() {}

    public Builder scenario(String scenario) {
      Scenarios.byName(scenario);
      this.scenario = scenario;
      return this;
    }

    public Builder resilience(boolean resilience) {
      this.resilience = resilience;
      return this;
    }

    public Builder compare(boolean compare) {
      this.compare = compare;
      return this;
    }

    public Builder headless(boolean headless) {
      this.headless = headless;
      return this;
    }

    /** One child JVM per shop instance (the runtime's process mode). */
    public Builder processes(boolean processes) {
      this.processes = processes;
      return this;
    }

    public Builder duration(Duration duration) {
      LoadOptions.checkDuration(duration);
      this.duration = duration;
      return this;
    }

    public Builder warmup(Duration warmup) {
      checkWarmup(warmup);
      this.warmup = warmup;
      return this;
    }

    public Builder rate(double rate) {
      LoadOptions.checkRate(rate);
      this.rate = rate;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder basePort(int basePort) {
      if (basePort < 0 || basePort > 65535 - 16) {
        throw new IllegalArgumentException(
            "port must be 0 (ephemeral) or a base port from 1 to "
                + (65535 - 16)
                + ", was "
                + basePort);
      }
      this.basePort = basePort;
      return this;
    }

    public Builder storage(@Nullable Path storage) {
      this.storage = storage;
      return this;
    }

    public Builder reportDir(Path reportDir) {
      this.reportDir = Objects.requireNonNull(reportDir, "reportDir");
      return this;
    }

    /** Where the events and sagas run; see {@link Backend#check}. */
    public Builder backends(Set<Backend> backends) {
      this.backends = Backend.check(backends);
      return this;
    }

    public DemoOptions build() {
      return new DemoOptions(this);
    }
  }
}
