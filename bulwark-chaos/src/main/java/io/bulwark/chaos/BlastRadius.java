package io.bulwark.chaos;

import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultSite;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which calls a fault may touch: kinds of points, a service, an instance, a route, a percentage of
 * requests and a cohort. Every condition set must hold (they narrow each other); an unset condition
 * matches everything. Immutable.
 *
 * <ul>
 *   <li>{@code service}: the service of the call's site — the called service (the dependency) at an
 *       HTTP client point, the server's service at an HTTP server point.
 *   <li>{@code instance}: the instance id (a client's endpoint id, a server's instance).
 *   <li>{@code route}: equal to the site's route, or a prefix of it when it ends with {@code *}.
 *   <li>{@code percent}: the share of requests faulted, decided per request id (the context's
 *       correlation id, else its trace id) with the fault's seed: the same ids and seed always
 *       select the same requests; a request without id is decided by a seeded per-fault sequence.
 *   <li>{@code cohort}: only requests whose W3C baggage carries {@code chaos.experiment=<cohort>}.
 *   <li>{@code decision}: {@link Decision#PER_ATTEMPT} (the default) decides the percentage anew
 *       for each attempt of a request (request id and attempt number: a retry of a faulted request
 *       may pass, as a transient failure would let it); {@link Decision#PER_REQUEST} decides once
 *       per request id (every retry of a faulted request is faulted too: a persistent failure of
 *       those requests). Both are seeded and repeatable. Attempts are counted by the HTTP client
 *       and the gateway, and an HTTP server reads the caller's {@code bulwark-attempt} header.
 * </ul>
 */
public final class BlastRadius {
  /** How the percentage is decided for the retries of a request. */
  public enum Decision {
    /** Anew for each attempt (request id and attempt number): retries may pass. The default. */
    PER_ATTEMPT,
    /** Once per request id: every attempt of a selected request is faulted. */
    PER_REQUEST;

    /** The kebab-case name used in YAML and JSON ({@code per-attempt}). */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The decision named {@code key}.
     *
     * @throws IllegalArgumentException naming the value and the known ones
     */
    public static Decision fromKey(String key) {
      for (Decision d : values()) {
        if (d.key().equals(key)) {
          return d;
        }
      }
      throw new IllegalArgumentException(
          "decision must be per-attempt or per-request, was \"" + key + "\"");
    }
  }

  private static final BlastRadius EVERYTHING = builder().build();

  private final Set<FaultPointKind> points;
  private final @Nullable String service;
  private final @Nullable String instance;
  private final @Nullable String route;
  private final double percent;
  private final @Nullable String cohort;
  private final Decision decision;

  private BlastRadius(Builder b) {
    this.points = b.points.isEmpty() ? Set.of() : Set.copyOf(b.points);
    this.service = b.service;
    this.instance = b.instance;
    this.route = b.route;
    this.percent = b.percent;
    this.cohort = b.cohort;
    this.decision = b.decision;
  }

  /** Every call at every point the fault can act at. */
  public static BlastRadius everything() {
    return EVERYTHING;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The kinds of points named (empty: all the fault can act at). */
  public Set<FaultPointKind> points() {
    return points;
  }

  public @Nullable String service() {
    return service;
  }

  public @Nullable String instance() {
    return instance;
  }

  public @Nullable String route() {
    return route;
  }

  /** The percentage of requests faulted, 0..100. */
  public double percent() {
    return percent;
  }

  public @Nullable String cohort() {
    return cohort;
  }

  /** How the percentage treats the retries of a request. */
  public Decision decision() {
    return decision;
  }

  /** Whether {@code site} is inside this radius, before the percentage and cohort are applied. */
  public boolean covers(FaultSite site) {
    return (points.isEmpty() || points.contains(site.kind()))
        && (service == null || service.equals(site.service()))
        && (instance == null || instance.equals(site.instance()))
        && (route == null || routeMatches(route, site.route()));
  }

  private static boolean routeMatches(String pattern, String route) {
    return pattern.endsWith("*")
        ? route.startsWith(pattern.substring(0, pattern.length() - 1))
        : pattern.equals(route);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.points.addAll(points);
    b.service = service;
    b.instance = instance;
    b.route = route;
    b.percent = percent;
    b.cohort = cohort;
    b.decision = decision;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlastRadius r
        && r.points.equals(points)
        && Objects.equals(r.service, service)
        && Objects.equals(r.instance, instance)
        && Objects.equals(r.route, route)
        && r.percent == percent
        && Objects.equals(r.cohort, cohort)
        && r.decision == decision;
  }

  @Override
  public int hashCode() {
    return Objects.hash(points, service, instance, route, percent, cohort, decision);
  }

  @Override
  public String toString() {
    return "BlastRadius[points="
        + points
        + ", service="
        + service
        + ", instance="
        + instance
        + ", route="
        + route
        + ", percent="
        + percent
        + ", cohort="
        + cohort
        + (decision == Decision.PER_ATTEMPT ? "" : ", decision=" + decision.key())
        + "]";
  }

  /** Builds a {@link BlastRadius}; each setter validates and names the bad value. */
  public static final class Builder {
    private final Set<FaultPointKind> points = EnumSet.noneOf(FaultPointKind.class);
    private @Nullable String service;
    private @Nullable String instance;
    private @Nullable String route;
    private double percent = 100;
    private @Nullable String cohort;
    private Decision decision = Decision.PER_ATTEMPT;

    private Builder() {}

    /** Only these kinds of points (adds to any named before). */
    public Builder points(FaultPointKind... kinds) {
      for (FaultPointKind k : kinds) {
        points.add(Objects.requireNonNull(k, "point kind"));
      }
      return this;
    }

    public Builder service(String service) {
      this.service = notBlank("service", service);
      return this;
    }

    public Builder instance(String instance) {
      this.instance = notBlank("instance", instance);
      return this;
    }

    /** A route, path, topic, step or point name; a trailing {@code *} makes it a prefix. */
    public Builder route(String route) {
      this.route = notBlank("route", route);
      return this;
    }

    /** The dependency an HTTP client calls: the same as {@link #service} at client points. */
    public Builder dependency(String service) {
      points(FaultPointKind.HTTP_CLIENT);
      return service(service);
    }

    /** The percentage of requests faulted, 0..100 (default 100). */
    public Builder percent(double percent) {
      if (!(percent >= 0 && percent <= 100)) {
        throw new IllegalArgumentException("percent must be 0..100, was " + percent);
      }
      this.percent = percent;
      return this;
    }

    /** Only requests in this cohort ({@code chaos.experiment} baggage). */
    public Builder cohort(String experiment) {
      this.cohort = notBlank("cohort", experiment);
      return this;
    }

    /** How the percentage treats retries (default {@link Decision#PER_ATTEMPT}). */
    public Builder decision(Decision decision) {
      this.decision = Objects.requireNonNull(decision, "decision");
      return this;
    }

    public BlastRadius build() {
      return new BlastRadius(this);
    }

    private static String notBlank(String field, @Nullable String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(field + " must not be blank, was \"" + value + "\"");
      }
      return value;
    }
  }
}
