package io.bulwark.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes one poll for {@link Consumer#poll(Topic, java.time.Duration)}: a record that cannot be
 * decoded stops its partition there (the partition is rewound to it, later records of it are
 * dropped from this poll); if it is the first polled record of its partition the whole poll is
 * rewound and fails, so no record is skipped silently.
 */
final class TypedPoll {
  private TypedPoll() {}

  static <K, V> List<TypedRecord<K, V>> decode(
      Consumer consumer, Topic<K, V> topic, List<EventRecord> polled) {
    List<TypedRecord<K, V>> out = new ArrayList<>(polled.size());
    Map<TopicPartition, Long> first = new HashMap<>();
    Set<TopicPartition> stopped = new HashSet<>();
    RuntimeException failure = null;
    for (EventRecord r : polled) {
      TopicPartition tp = r.topicPartition();
      boolean head = first.putIfAbsent(tp, r.offset()) == null;
      if (stopped.contains(tp)) {
        continue;
      }
      try {
        out.add(topic.decode(r));
      } catch (SerdeException | IllegalArgumentException e) {
        stopped.add(tp);
        consumer.seek(tp, r.offset());
        if (failure == null && head) {
          failure = notDelivered(topic, r, e);
        }
      }
    }
    if (failure != null) {
      first.forEach(consumer::seek);
      throw failure;
    }
    return out;
  }

  private static RuntimeException notDelivered(Topic<?, ?> topic, EventRecord r, Exception e) {
    String rewound =
        "; not delivered and the poll was rewound, nothing skipped: seek("
            + r.topicPartition()
            + ", "
            + (r.offset() + 1)
            + ") passes it";
    if (e instanceof SerdeException) {
      return new SerdeException(e.getMessage() + rewound, e);
    }
    return new IllegalStateException(
        "poll("
            + topic
            + ") read a record of another topic: "
            + e.getMessage()
            + rewound
            + "; a consumer of several topics polls with poll(Duration) and Topic.decode",
        e);
  }
}
