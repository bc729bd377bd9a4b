package io.bulwark.telemetry.slo;

/**
 * Good and total events of an SLI over one window.
 *
 * @param good events that met the objective's definition of good
 * @param total all valid events
 */
public record EventCounts(double good, double total) {
  public double bad() {
    return total - good;
  }

  /** bad / total, or 0 when there were no events. */
  public double errorRatio() {
    return total <= 0 ? 0 : bad() / total;
  }
}
