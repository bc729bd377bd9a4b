package io.bulwark.test;

import java.time.Duration;

/**
 * One thing that happened in virtual time.
 *
 * @param at virtual time since the clock started
 * @param event what happened
 */
public record TimelineEntry(Duration at, String event) {
  @Override
  public String toString() {
    return at.toMillis() + "ms " + event;
  }
}
