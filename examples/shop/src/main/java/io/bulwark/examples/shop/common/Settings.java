package io.bulwark.examples.shop.common;

import io.bulwark.runtime.InstanceContext;

/** The keys of the settings the shop's {@code SystemModel} gives its services. */
public final class Settings {
  /** "true" (default) or "false": see {@code ShopOptions.resilience}. */
  public static final String RESILIENCE = "resilience";

  /** The directory of the shared embedded event log (orders and shipping). */
  public static final String EVENT_LOG = "eventLog";

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
