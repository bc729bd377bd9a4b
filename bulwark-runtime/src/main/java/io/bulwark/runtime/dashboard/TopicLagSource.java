package io.bulwark.runtime.dashboard;

import java.util.List;

/**
 * Where the dashboard reads consumer lag from (the system's event log knows its ends and its
 * groups' committed offsets). Called once per dashboard tick on the dashboard's thread; must be
 * quick. A source that throws shows its message on the panel for that tick.
 */
@FunctionalInterface
public interface TopicLagSource {
  List<TopicLag> lags();
}
