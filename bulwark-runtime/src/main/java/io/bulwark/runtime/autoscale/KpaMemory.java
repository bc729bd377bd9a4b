package io.bulwark.runtime.autoscale;

/**
 * The declared memory of {@link KnativeConcurrency}: whether it is in panic mode, when the panic
 * condition last held, and the highest count chosen during this panic (which panic mode never goes
 * below).
 *
 * @param panicking in panic mode
 * @param lastOverThresholdNanos when the panic condition last held (meaningful while panicking)
 * @param panicPeak the highest count chosen during this panic (0 when calm)
 */
public record KpaMemory(boolean panicking, long lastOverThresholdNanos, int panicPeak) {

  /** Not panicking. */
  public static final KpaMemory CALM = new KpaMemory(false, 0, 0);
}
