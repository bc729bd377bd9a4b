package io.bulwark.examples.shop.gameday;

/**
 * Hears a game day's steps as they happen, on the game day's step thread. Must be quick and must
 * not throw (a listener that throws is ignored for that event).
 */
public interface GameDayListener {
  /** A step is about to run ({@link StepEvent#took()} is zero). */
  default void onStepStarting(StepEvent event) {}

  /** A step ran, successfully or not ({@link StepEvent#error()}). */
  default void onStepDone(StepEvent event) {}
}
