package io.bulwark.events.internal.embedded;

import io.bulwark.core.time.Clock;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * In-process consumer groups. Members join with their subscription and heartbeat on every poll; a
 * member silent for its session timeout (measured on the injected {@link Clock}) is removed at the
 * next heartbeat of any member. Every join, leave or expiry starts a new generation with a fresh
 * assignment: for each topic, partition {@code p} goes to the {@code p mod n}-th of the {@code n}
 * members subscribed to it, sorted by member id. Commits are accepted only from the current owner
 * of a partition, so a member that was presumed dead cannot overwrite its successor's progress.
 *
 * <p>Thread-safe; each group has its own lock, held only for in-memory bookkeeping.
 */
final class GroupCoordinator {
  private final Clock clock;
  private final EventLogListener listener;
  private final ToIntFunction<String> partitionCount;
  private final Map<String, Group> groups = new ConcurrentHashMap<>();

  GroupCoordinator(Clock clock, EventLogListener listener, ToIntFunction<String> partitionCount) {
    this.clock = clock;
    this.listener = listener;
    this.partitionCount = partitionCount;
  }

  private static final class Member {
    final Set<String> topics;
    final long sessionTimeoutNanos;
    long lastSeen;
    Set<TopicPartition> assignment = Set.of();

    Member(Set<String> topics, long sessionTimeoutNanos, long now) {
      this.topics = topics;
      this.sessionTimeoutNanos = sessionTimeoutNanos;
      this.lastSeen = now;
    }
  }

  private final class Group {
    final String id;
    final ReentrantLock lock = new ReentrantLock();
    final TreeMap<String, Member> members = new TreeMap<>();
    int generation;

    Group(String id) {
      this.id = id;
    }

    void rebalance() {
      generation++;
      Map<String, List<String>> byTopic = new TreeMap<>();
      members.forEach(
          (id, m) ->
              m.topics.forEach(t -> byTopic.computeIfAbsent(t, k -> new ArrayList<>()).add(id)));
      Map<String, Set<TopicPartition>> assignment = new HashMap<>();
      byTopic.forEach(
          (topic, ids) -> {
            int n = partitionCount.applyAsInt(topic);
            for (int p = 0; p < n; p++) {
              String owner = ids.get(p % ids.size());
              assignment
                  .computeIfAbsent(owner, k -> new TreeSet<>())
                  .add(new TopicPartition(topic, p));
            }
          });
      members.forEach((id, m) -> m.assignment = Set.copyOf(assignment.getOrDefault(id, Set.of())));
      int gen = generation;
      int size = members.size();
      try {
        listener.onRebalance(this.id, gen, size);
      } catch (RuntimeException ignored) {
        // listeners never break the log
      }
    }

    boolean expire(long now) {
      List<String> dead = new ArrayList<>();
      members.forEach(
          (id, m) -> {
            if (now - m.lastSeen > m.sessionTimeoutNanos) {
              dead.add(id);
            }
          });
      dead.forEach(members::remove);
      return !dead.isEmpty();
    }
  }

  /** A member's view after a heartbeat: its generation and assignment, or not a member. */
  record View(int generation, Set<TopicPartition> assignment, boolean member) {}

  void join(String groupId, String memberId, Set<String> topics, long sessionTimeoutNanos) {
    Group g = groups.computeIfAbsent(groupId, Group::new);
    g.lock.lock();
    try {
      g.members.put(
          memberId, new Member(Set.copyOf(topics), sessionTimeoutNanos, clock.nanoTime()));
      g.expire(clock.nanoTime());
      g.rebalance();
    } finally {
      g.lock.unlock();
    }
  }

  void leave(String groupId, String memberId) {
    Group g = groups.get(groupId);
    if (g == null) {
      return;
    }
    g.lock.lock();
    try {
      if (g.members.remove(memberId) != null) {
        g.rebalance();
      }
    } finally {
      g.lock.unlock();
    }
  }

  /** Records that {@code memberId} is alive, expires silent members, returns the member's view. */
  View heartbeat(String groupId, String memberId) {
    Group g = groups.computeIfAbsent(groupId, Group::new);
    g.lock.lock();
    try {
      long now = clock.nanoTime();
      Member self = g.members.get(memberId);
      if (self != null) {
        self.lastSeen = now;
      }
      if (g.expire(now)) {
        g.rebalance();
      }
      Member m = g.members.get(memberId);
      return m == null
          ? new View(g.generation, Set.of(), false)
          : new View(g.generation, m.assignment, true);
    } finally {
      g.lock.unlock();
    }
  }

  /** The partitions of {@code partitions} that {@code memberId} does not own now. */
  Set<TopicPartition> notOwned(String groupId, String memberId, Set<TopicPartition> partitions) {
    Group g = groups.get(groupId);
    if (g == null) {
      return partitions;
    }
    g.lock.lock();
    try {
      Member m = g.members.get(memberId);
      Set<TopicPartition> missing = new HashSet<>(partitions);
      if (m != null) {
        missing.removeAll(m.assignment);
      }
      return missing;
    } finally {
      g.lock.unlock();
    }
  }

  /** Whether the group has live members (used to decide if transactional offsets need fencing). */
  boolean hasMembers(String groupId) {
    Group g = groups.get(groupId);
    return g != null && !g.members.isEmpty();
  }
}
