package io.bulwark.core.fault;

/** The kinds of injection points inside Bulwark's boundaries; a blast radius may name some. */
public enum FaultPointKind {
  /** One attempt of a {@code ServiceClient} call, before the request is sent. */
  HTTP_CLIENT,
  /** A routed request on a {@code BulwarkServer}, before its handler runs. */
  HTTP_SERVER,
  /** An event log append. */
  EVENT_PRODUCE,
  /** An event log delivery to a consumer. */
  EVENT_CONSUME,
  /** A saga step, before its action runs (nothing happened yet). */
  SAGA_STEP,
  /**
   * A saga step after its action ran (its effect happened) and before its outcome is recorded: an
   * error here fails a step whose effect is done, the at-least-once case.
   */
  SAGA_STEP_AFTER,
  /** A JDBC call through the chaos DataSource. */
  JDBC,
  /** A clock reading through the chaos clock decorator. */
  CLOCK,
  /** {@code Chaos.point("name")} in user code. */
  USER,
  /**
   * One attempt of the API gateway at an upstream of a route's cluster, before the request is sent
   * (the site's service is the cluster, its instance the endpoint, its route the gateway route).
   */
  GATEWAY_UPSTREAM;

  /** The kebab-case name used in YAML and JSON ({@code http-client}). */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * The kind named {@code key} ({@code http-client} or {@code HTTP_CLIENT}).
   *
   * @throws IllegalArgumentException naming the value and the known kinds
   */
  public static FaultPointKind fromKey(String key) {
    String k = key.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    for (FaultPointKind kind : values()) {
      if (kind.name().equals(k)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown injection point \""
            + key
            + "\"; expected one of "
            + java.util.Arrays.stream(values()).map(FaultPointKind::key).toList());
  }
}
