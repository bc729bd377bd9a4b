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
   * committed yet (a group that has not shows its whole topic as lag): the source for a system that
   * knows its topics and groups.
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
      List<TopicLag> out = new ArrayList<>();
      copy.forEach(
          (topic, groups) -> {
            for (String g : groups) {
              add(out, log.consumerLag(g, topic));
            }
          });
      return out;
    };
  }

  /**
   * Every group that has committed in {@code log}, on every partition of each topic it has
   * committed on (discovered anew each tick).
   */
  public static TopicLagSource of(EventLog log) {
    Checks.notNull("log", log);
    return () -> {
      List<TopicLag> out = new ArrayList<>();
      for (String g : log.consumerGroups()) {
        TreeSet<String> topics = new TreeSet<>();
        for (PartitionLag l : log.consumerLag(g)) {
          topics.add(l.partition().topic());
        }
        for (String t : topics) {
          add(out, log.consumerLag(g, t));
        }
      }
      return out;
    };
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
