package io.bulwark.runtime.dashboard;

import io.bulwark.core.config.Checks;
import io.bulwark.events.EventLog;
import io.bulwark.events.PartitionLag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@link TopicLagSource}s read from an {@link EventLog}'s consumer-lag API ({@link
 * EventLog#consumerLag(String, String)}): the embedded log answers from memory, Kafka through its
 * admin client.
 *
 * <pre>{@code
 * Dashboard.builder(runtime)
 *     .topics(EventLogLag.of(log, Map.of("orders", List.of("shipping", "billing"))))
 *     .build();
 * }</pre>
 */
public final class EventLogLag {
  private EventLogLag() {}

  /**
   * Every partition of each named topic for each of its named groups, whether or not the group has
   * committed yet (a group that has not shows its whole topic as lag), plus, as {@link
   * #of(EventLog)}, every other group that has committed in the log: the source for a system that
   * knows its topics and groups and may grow new consumers.
   *
   * @param groupsByTopic topic name to the consumer groups that read it
   */
  public static TopicLagSource of(
      EventLog log, Map<String, ? extends Collection<String>> groupsByTopic) {
    Checks.notNull("log", log);
    Checks.notNull("groupsByTopic", groupsByTopic);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    groupsByTopic.forEach(
        (topic, groups) -> {
          Checks.notBlank("topic", topic);
          for (String g : groups) {
            Checks.notBlank("group of topic " + topic, g);
          }
          copy.put(topic, List.copyOf(groups));
        });
    return () -> {
      TreeSet<String> pairs = new TreeSet<>(); // topic NUL group
      copy.forEach(
          (topic, groups) -> {
            for (String g : groups) {
              pairs.add(topic + '\u0000' + g);
            }
          });
      for (String g : log.consumerGroups()) {
        for (PartitionLag l : log.consumerLag(g)) {
          pairs.add(l.partition().topic() + '\u0000' + g);
        }
      }
      List<TopicLag> out = new ArrayList<>();
      for (String pair : pairs) {
        int cut = pair.indexOf('\u0000');
        add(out, log.consumerLag(pair.substring(cut + 1), pair.substring(0, cut)));
      }
      return out;
    };
  }

  /**
   * Every group that has committed in {@code log}, on every partition of each topic it has
   * committed on (discovered anew each tick; a group shows from its first commit on).
   */
  public static TopicLagSource of(EventLog log) {
    return of(log, Map.of());
  }

  private static void add(List<TopicLag> out, List<PartitionLag> lags) {
    for (PartitionLag l : lags) {
      out.add(
          new TopicLag(
              l.partition().topic(),
              l.partition().partition(),
              l.group(),
              l.endOffset(),
              l.committedOffset().orElse(-1),
              l.startOffset()));
    }
  }
}
