package io.bulwark.examples.shop.common;

/** The wait of the services' background loops between polls or attempts. */
public final class Pause {
  private Pause() {}

  /**
   * Waits {@code millis}; false when interrupted (the instance is being killed: the loop must end),
   * with the interrupt kept set.
   */
  public static boolean of(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
