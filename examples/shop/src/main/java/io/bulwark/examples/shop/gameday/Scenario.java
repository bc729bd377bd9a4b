package io.bulwark.examples.shop.gameday;

import java.util.List;
import java.util.Objects;

/**
 * A named game day: its steps in time order, each at a fraction of the run's duration.
 *
 * @param name how {@code --scenario} names it (lower-case letters, digits, '-')
 * @param summary one line for {@code --list-scenarios}
 * @param steps the steps; fractions must not decrease
 */
public record Scenario(String name, String summary, List<Step> steps) {
  public Scenario {
    Objects.requireNonNull(summary, "summary");
    if (!name.matches("[a-z0-9-]{1,40}")) {
      throw new IllegalArgumentException(
          "scenario name must be 1 to 40 lower-case letters, digits or '-', was \"" + name + "\"");
    }
    steps = List.copyOf(steps);
    for (int i = 1; i < steps.size(); i++) {
      if (steps.get(i).fraction() < steps.get(i - 1).fraction()) {
        throw new IllegalArgumentException(
            "scenario "
                + name
                + ": step \""
                + steps.get(i).title()
                + "\" at "
                + steps.get(i).fraction()
                + " comes before the step before it");
      }
    }
  }
}
