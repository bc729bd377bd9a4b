package io.bulwark.runtime.autoscale;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How the runtime autoscales one service: the policy with its parameters, how often it samples and
 * decides, the window its load is read over, and for the event-lag policy the topic and consumer
 * group whose lag it follows. Set in a system file under a service's {@code autoscale:} key (see
 * {@link #bind}) or with {@code ServiceSpec.Builder#autoscale}; the runtime starts one {@link
 * Autoscaler} per such service once the system is up, scaling it with {@code SystemRuntime#scale}
 * on the runtime's scheduler.
 *
 * @param policy the decision function
 * @param sampleEvery how often the service's load is sampled
 * @param decideEvery how often the policy decides
 * @param window the window the request rate and concurrency are measured over (a multiple of the
 *     runtime's metrics step)
 * @param topic for {@code event-lag}: the topic whose consumer lag is read, else empty
 * @param group for {@code event-lag}: the consumer group whose lag is read, else empty
 */
public record AutoscaleSpec(
    ScalingPolicy<?> policy,
    Duration sampleEvery,
    Duration decideEvery,
    Duration window,
    Optional<String> topic,
    Optional<String> group) {

  public AutoscaleSpec {
    Checks.notNull("autoscale.policy", policy);
    Checks.positive("autoscale.sample-every", sampleEvery);
    Checks.positive("autoscale.decide-every", decideEvery);
    Checks.positive("autoscale.window", window);
    if (decideEvery.compareTo(sampleEvery) < 0) {
      throw new IllegalArgumentException(
          "autoscale.decide-every ("
              + decideEvery
              + ") must be >= sample-every ("
              + sampleEvery
              + ")");
    }
    if (topic.isPresent() != group.isPresent()) {
      throw new IllegalArgumentException(
          "autoscale: topic and group go together (topic " + topic + ", group " + group + ")");
    }
    if (policy instanceof LagScaling && topic.isEmpty()) {
      throw new IllegalArgumentException("autoscale: the event-lag policy needs topic and group");
    }
  }

  /** {@code policy} sampled every 5 s, deciding every 15 s over a 30 s window; no topic. */
  public static AutoscaleSpec of(ScalingPolicy<?> policy) {
    return new AutoscaleSpec(
        policy,
        Duration.ofSeconds(5),
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        Optional.empty(),
        Optional.empty());
  }

  /** The policies a system file can name. */
  public enum PolicyKind {
    TARGET_TRACKING,
    KNATIVE,
    EVENT_LAG,
    PREDICTIVE
  }

  /** Metrics a system file can track (consumer lag is the event-lag policy's). */
  public enum FileMetric {
    REQUEST_RATE,
    CONCURRENCY
  }

  /**
   * Binds a service's {@code autoscale:} section. Every problem is reported through {@code r} at
   * its line (unknown key, a key of another policy, bad value):
   *
   * <pre>{@code
   * autoscale:
   *   policy: target-tracking   # target-tracking | knative | event-lag | predictive
   *   metric: request-rate      # target-tracking, predictive: request-rate | concurrency
   *   target: 70                # per instance (knative: concurrency per instance)
   *   min: 1
   *   max: 10
   *   tolerance: 0.1                    # target-tracking, predictive
   *   scale-down-stabilisation: 5m      # target-tracking, predictive, event-lag
   *   max-step-up: 4                    # target-tracking, predictive
   *   max-step-down: 2                  # target-tracking, predictive
   *   stable-window: 60s                # knative
   *   panic-window: 6s                  # knative
   *   panic-threshold: 2.0              # knative
   *   max-scale-up-rate: 10             # knative
   *   max-scale-down-rate: 2            # knative
   *   topic: orders                     # event-lag
   *   group: shipping                   # event-lag
   *   lag-per-instance: 100             # event-lag
   *   activation-lag: 0                 # event-lag
   *   scale-to-zero: false              # event-lag
   *   cooldown: 5m                      # event-lag
   *   season: 1d                        # predictive
   *   seasons: 3                        # predictive
   *   lead: 3m                          # predictive
   *   bucket: 1m                        # predictive
   *   level-window: 30m                 # predictive
   *   sample-every: 5s
   *   decide-every: 15s
   *   window: 30s
   * }</pre>
   *
   * @return the spec, or empty when a problem was reported
   */
  public static Optional<AutoscaleSpec> bind(ConfigReader r) {
    r.require("policy");
    PolicyKind[] kind = {null};
    r.enumValue("policy", PolicyKind.class, k -> kind[0] = k);
    PolicyKind k = kind[0];
    if (k == null) {
      return Optional.empty();
    }
    ScalingPolicy<?> policy =
        switch (k) {
          case TARGET_TRACKING -> targetTracking(r);
          case KNATIVE -> knative(r);
          case EVENT_LAG -> eventLag(r);
          case PREDICTIVE -> predictive(r);
        };
    @Nullable String[] tg = {null, null};
    if (k == PolicyKind.EVENT_LAG) {
      r.require("topic").require("group");
      r.string("topic", t -> tg[0] = Checks.notBlank("topic", t));
      r.string("group", g -> tg[1] = Checks.notBlank("group", g));
    }
    Duration[] times = {Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30)};
    r.duration("sample-every", d -> times[0] = Checks.positive("sample-every", d));
    r.duration("decide-every", d -> times[1] = Checks.positive("decide-every", d));
    r.duration("window", d -> times[2] = Checks.positive("window", d));
    if (policy == null || (k == PolicyKind.EVENT_LAG && (tg[0] == null || tg[1] == null))) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new AutoscaleSpec(
              policy,
              times[0],
              times[1],
              times[2],
              Optional.ofNullable(tg[0]),
              Optional.ofNullable(tg[1])));
    } catch (IllegalArgumentException e) {
      r.reject(String.valueOf(e.getMessage()));
      return Optional.empty();
    }
  }

  private static @Nullable Double target(ConfigReader r) {
    r.require("target");
    Double[] t = {null};
    r.decimal("target", v -> t[0] = Checks.positive("target", v));
    return t[0];
  }

  private static Metric metric(ConfigReader r) {
    FileMetric[] m = {FileMetric.REQUEST_RATE};
    r.enumValue("metric", FileMetric.class, v -> m[0] = v);
    return m[0] == FileMetric.CONCURRENCY ? Metric.CONCURRENCY : Metric.REQUEST_RATE;
  }

  private static @Nullable ScalingPolicy<?> built(
      ConfigReader r, java.util.function.Supplier<ScalingPolicy<?>> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      r.reject(String.valueOf(e.getMessage()));
      return null;
    }
  }

  private static TargetTracking.@Nullable Builder trackingBuilder(ConfigReader r, Metric metric) {
    Double target = target(r);
    TargetTracking.Builder b =
        target == null ? TargetTracking.builder(metric, 1) : TargetTracking.builder(metric, target);
    r.decimal("tolerance", b::tolerance);
    r.duration("scale-down-stabilisation", b::scaleDownStabilisation);
    r.integer("max-step-up", b::maxStepUp);
    r.integer("max-step-down", b::maxStepDown);
    r.integer("min", b::minInstances);
    return target == null ? null : b;
  }

  private static @Nullable ScalingPolicy<?> targetTracking(ConfigReader r) {
    TargetTracking.Builder b = trackingBuilder(r, metric(r));
    if (b == null) {
      r.integer("max", v -> {});
      return null;
    }
    r.integer("max", b::maxInstances);
    return built(r, b::build);
  }

  private static @Nullable ScalingPolicy<?> knative(ConfigReader r) {
    Double target = target(r);
    KnativeConcurrency.Builder b = KnativeConcurrency.builder(target == null ? 1 : target);
    r.duration("stable-window", b::stableWindow);
    r.duration("panic-window", b::panicWindow);
    r.decimal("panic-threshold", b::panicThreshold);
    r.decimal("max-scale-up-rate", b::maxScaleUpRate);
    r.decimal("max-scale-down-rate", b::maxScaleDownRate);
    r.integer("min", b::minInstances);
    r.integer("max", b::maxInstances);
    return target == null ? null : built(r, b::build);
  }

  private static @Nullable ScalingPolicy<?> eventLag(ConfigReader r) {
    r.require("lag-per-instance");
    Double[] per = {null};
    r.decimal("lag-per-instance", v -> per[0] = Checks.positive("lag-per-instance", v));
    LagScaling.Builder b = LagScaling.builder(per[0] == null ? 1 : per[0]);
    r.longValue("activation-lag", b::activationLag);
    r.bool("scale-to-zero", b::scaleToZero);
    r.duration("cooldown", b::cooldown);
    r.duration("scale-down-stabilisation", b::scaleDownStabilisation);
    r.integer("min", b::minInstances);
    r.integer("max", b::maxInstances);
    return per[0] == null ? null : built(r, b::build);
  }

  private static @Nullable ScalingPolicy<?> predictive(ConfigReader r) {
    Metric metric = metric(r);
    TargetTracking.Builder base = trackingBuilder(r, metric);
    Integer[] max = {null};
    r.integer("max", v -> max[0] = v);
    if (base != null && max[0] != null) {
      try {
        base.maxInstances(max[0]);
      } catch (IllegalArgumentException e) {
        r.reject(String.valueOf(e.getMessage()));
        return null;
      }
    }
    TargetTracking reactive = base == null ? null : (TargetTracking) built(r, base::build);
    Predictive.Builder<NoMemory> b =
        reactive == null
            ? Predictive.builder(TargetTracking.builder(metric, 1).build(), metric, 1)
            : Predictive.builder(reactive, metric, reactive.targetPerInstance());
    r.duration("season", b::season);
    r.integer("seasons", b::seasons);
    r.duration("lead", b::lead);
    r.duration("bucket", b::bucket);
    r.duration("level-window", b::levelWindow);
    if (reactive == null) {
      return null;
    }
    if (max[0] != null) {
      int m = max[0];
      return built(r, () -> b.maxInstances(m).build());
    }
    return built(r, b::build);
  }
}
