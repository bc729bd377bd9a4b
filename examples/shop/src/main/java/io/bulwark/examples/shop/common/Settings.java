package io.bulwark.examples.shop.common;

import io.bulwark.runtime.InstanceContext;

/** The keys of the settings the shop's {@code SystemModel} gives its services. */
public final class Settings {
  /** "true" (default) or "false": see {@code ShopOptions.resilience}. */
  public static final String RESILIENCE = "resilience";

  /**
   * The shared event log (orders and shipping): the directory of the embedded log, or {@code
   * kafka://host:port[,...]} (see {@code SharedEventLog}).
   */
  public static final String EVENT_LOG = "eventLog";

  /**
   * Orders' database on PostgreSQL ({@code jdbc:postgresql://...}): the checkout saga's store, the
   * orders table and the outbox; absent: {@code orders.db} (SQLite) in the instance's storage.
   */
  public static final String ORDERS_DATABASE = "ordersDatabase";

  /** The user of {@link #ORDERS_DATABASE} ({@code postgres} when absent). */
  public static final String ORDERS_DATABASE_USER = "ordersDatabaseUser";

  private Settings() {}

  /** Whether {@code ctx}'s service runs with resilience on; a bad value is refused, named. */
  public static boolean resilience(InstanceContext ctx) {
    String v = ctx.setting(RESILIENCE, "true");
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(
              "setting "
                  + RESILIENCE
                  + " of "
                  + ctx.instanceId()
                  + " must be true or false, was \""
                  + v
                  + "\"");
    };
  }

  /** A required setting of {@code ctx}, or an error naming it and the instance. */
  public static String required(InstanceContext ctx, String key) {
    String v = ctx.settings().get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(
          "setting " + key + " of " + ctx.instanceId() + " is missing");
    }
    return v;
  }
}
