package io.bulwark.events.internal.embedded;

import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.ConsumerConfig.StartFrom;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventRecord;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.internal.EventFaults;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A consumer-group member of the embedded log. Every poll heartbeats the {@link GroupCoordinator};
 * when the generation changes, revoked partitions are dropped and newly assigned ones start at the
 * group's committed offset (or {@link StartFrom}). Polls read durable records only and wait on the
 * log's data signal, in slices so that heartbeats continue while idle.
 */
final class EmbeddedConsumer implements Consumer {
  private static final long SLICE_NANOS = 50_000_000L;

  private final EmbeddedEventLog log;
  private final ConsumerConfig config;
  private final String memberId = UUID.randomUUID().toString();
  private final Map<TopicPartition, Long> positions = new TreeMap<>();
  private Set<String> topics = Set.of();
  private int generation = -1;
  private int cursor;
  private boolean closed;

  EmbeddedConsumer(EmbeddedEventLog log, ConsumerConfig config) {
    this.log = log;
    this.config = config;
  }

  @Override
  public void subscribe(Collection<String> newTopics) {
    checkOpen();
    for (String t : newTopics) {
      log.topic(t); // validates that it exists
    }
    topics = Set.copyOf(newTopics);
    join();
  }

  private void join() {
    log.groups().join(config.groupId(), memberId, topics, config.sessionTimeout().toNanos());
    generation = -1;
    refresh();
  }

  private void refresh() {
    GroupCoordinator.View view = log.groups().heartbeat(config.groupId(), memberId);
    if (!view.member()) {
      if (!topics.isEmpty()) {
        join(); // we were presumed dead: rejoin, our uncommitted progress is lost
      }
      return;
    }
    if (view.generation() == generation) {
      return;
    }
    generation = view.generation();
    positions.keySet().retainAll(view.assignment());
    for (TopicPartition tp : view.assignment()) {
      if (!positions.containsKey(tp)) {
        positions.put(tp, startPosition(tp));
      }
    }
  }

  private long startPosition(TopicPartition tp) {
    OptionalLong committed = log.offsets().committed(config.groupId(), tp);
    PartitionLog p = log.partition(tp);
    if (committed.isPresent()) {
      return Math.max(committed.getAsLong(), p.startOffset());
    }
    return config.startFrom() == StartFrom.EARLIEST ? p.startOffset() : p.durableEnd();
  }

  @Override
  public List<EventRecord> poll(Duration timeout) {
    List<EventRecord> records = pollRecords(timeout);
    FaultInjector fi = FaultPoints.injector();
    return fi == null ? records : EventFaults.consume(fi, this, config.groupId(), records, timeout);
  }

  private List<EventRecord> pollRecords(Duration timeout) {
    checkOpen();
    if (topics.isEmpty()) {
      throw new IllegalStateException("subscribe before polling (group " + config.groupId() + ")");
    }
    long remaining = timeout.toNanos();
    while (true) {
      long version = log.dataVersion();
      refresh();
      List<EventRecord> records = readAvailable();
      if (!records.isEmpty() || remaining <= 0) {
        return records;
      }
      long slice = Math.min(remaining, SLICE_NANOS);
      try {
        long left = log.awaitData(version, slice);
        remaining -= slice - Math.max(0, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
  }

  private List<EventRecord> readAvailable() {
    List<EventRecord> out = new ArrayList<>();
    List<TopicPartition> assigned = new ArrayList<>(positions.keySet());
    int n = assigned.size();
    for (int i = 0; i < n && out.size() < config.maxPollRecords(); i++) {
      TopicPartition tp = assigned.get((cursor + i) % n);
      long position = positions.getOrDefault(tp, 0L);
      PartitionLog p = log.partition(tp);
      if (position < p.startOffset()) {
        position = p.startOffset(); // retention removed what we had not read
      }
      if (position >= p.durableEnd()) {
        continue;
      }
      List<EventRecord> records = p.read(position, config.maxPollRecords() - out.size());
      if (!records.isEmpty()) {
        positions.put(tp, records.get(records.size() - 1).offset() + 1);
        out.addAll(records);
      }
    }
    cursor = n == 0 ? 0 : (cursor + 1) % n;
    return out;
  }

  @Override
  public void commitSync() {
    commitSync(new HashMap<>(positions));
  }

  @Override
  public void commitSync(Map<TopicPartition, Long> offsets) {
    checkOpen();
    Set<TopicPartition> notOwned =
        log.groups().notOwned(config.groupId(), memberId, new LinkedHashSet<>(offsets.keySet()));
    if (!notOwned.isEmpty()) {
      throw new EventLogException(
          "commit refused: partitions "
              + notOwned
              + " are no longer assigned to this member of"
              + " group "
              + config.groupId()
              + " (rebalanced); their records will be redelivered");
    }
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      if (e.getValue() < 0) {
        throw new IllegalArgumentException(
            "offset must be >= 0, was " + e.getValue() + " for " + e.getKey());
      }
    }
    log.offsets().commit(config.groupId(), offsets);
  }

  @Override
  public OptionalLong committed(TopicPartition partition) {
    return log.offsets().committed(config.groupId(), partition);
  }

  @Override
  public Set<TopicPartition> assignment() {
    return Set.copyOf(positions.keySet());
  }

  @Override
  public long position(TopicPartition partition) {
    Long p = positions.get(partition);
    if (p == null) {
      throw new IllegalStateException(partition + " is not assigned to this consumer");
    }
    return p;
  }

  @Override
  public void seek(TopicPartition partition, long offset) {
    position(partition);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    positions.put(partition, offset);
  }

  @Override
  public void seekToTime(TopicPartition partition, Instant time) {
    position(partition);
    positions.put(partition, log.partition(partition).offsetForTime(time.toEpochMilli()));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      log.groups().leave(config.groupId(), memberId);
    }
  }

  String groupId() {
    return config.groupId();
  }

  String memberId() {
    return memberId;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("consumer of group " + config.groupId() + " is closed");
    }
  }
}
