package io.bulwark.events.internal.embedded;

import io.bulwark.events.PartitionLag;
import io.bulwark.events.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Consumer lag of the embedded log, read from memory: each partition's start and durable end
 * (volatile fields of its {@link PartitionLog}) and the groups' committed offsets ({@link
 * OffsetStore}, loaded from their files at open, so lag survives a restart). No file is read and no
 * lock is taken, so polling it every second costs a few map lookups per partition.
 */
final class EmbeddedLag {
  private EmbeddedLag() {}

  static List<String> groups(EmbeddedEventLog log) {
    return List.copyOf(log.offsets().all().keySet());
  }

  static List<PartitionLag> lag(EmbeddedEventLog log, String group) {
    checkGroup(group);
    Map<TopicPartition, Long> committed = log.offsets().all().getOrDefault(group, Map.of());
    List<PartitionLag> out = new ArrayList<>(committed.size());
    for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
      TopicPartition tp = e.getKey();
      if (!log.hasPartition(tp)) {
        continue; // a topic deleted by hand while the group's file still names it
      }
      out.add(of(log, group, tp, OptionalLong.of(e.getValue())));
    }
    return out;
  }

  static List<PartitionLag> lag(EmbeddedEventLog log, String group, String topic) {
    checkGroup(group);
    int partitions = log.partitionCount(topic);
    List<PartitionLag> out = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      TopicPartition tp = new TopicPartition(topic, p);
      out.add(of(log, group, tp, log.offsets().committed(group, tp)));
    }
    return out;
  }

  private static PartitionLag of(
      EmbeddedEventLog log, String group, TopicPartition tp, OptionalLong committed) {
    PartitionLog p = log.partition(tp);
    // read the start first: retention only moves it forward, so start <= end holds for the pair
    long start = p.startOffset();
    long end = p.durableEnd();
    return PartitionLag.of(group, tp, Math.min(start, end), end, committed);
  }

  private static void checkGroup(String group) {
    if (group.isBlank()) {
      throw new IllegalArgumentException("consumer group must not be blank, was '" + group + "'");
    }
  }
}
