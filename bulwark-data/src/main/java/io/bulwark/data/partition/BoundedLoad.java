package io.bulwark.data.partition;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The bounded-load overlay (Mirrokni, Thorup and Zadimoghaddam, "Consistent Hashing with Bounded
 * Loads", SODA 2018) over any base partitioner: with m keys assigned, node n may hold at most
 * {@code cap_n = ⌈c · m · w_n / W⌉} of them (for equal weights ⌈c × mean⌉), c &gt; 1. A key goes to
 * the first node in the base algorithm's preference order ({@link Partitioner#owners}) that is
 * below its cap; since the caps sum to at least c·m &gt; m, one always is.
 *
 * <p>Guarantees: while keys are only assigned, no node ever holds more than its cap (caps grow with
 * m); a release lowers the caps, so a node may then sit above the new cap until its keys are
 * released or re-assigned ({@link Tracker#isWithinCaps()} says whether that is the case). With c
 * close to 1 more keys leave their first choice (MTZ: the expected number of extra moves per change
 * is O(1/(c−1)²)); c = 1.25 is a common choice. The overlay adds load accounting, not a new
 * placement: a key below cap on its first choice stays where the base puts it.
 */
public final class BoundedLoad {
  private final Partitioner base;
  private final double c;
  private final double totalWeight;

  private BoundedLoad(Partitioner base, double c) {
    this.base = base;
    this.c = c;
    this.totalWeight = Members.totalWeight(base.nodes());
  }

  /**
   * The overlay over {@code base} with capacity factor {@code c}.
   *
   * @throws IllegalArgumentException unless {@code c} is finite and &gt; 1
   */
  public static BoundedLoad over(Partitioner base, double c) {
    Objects.requireNonNull(base, "base");
    if (!(c > 1.0) || !Double.isFinite(c)) {
      throw new IllegalArgumentException(
          "bounded load: capacity factor c must be a finite number > 1, was " + c);
    }
    return new BoundedLoad(base, c);
  }

  public Partitioner base() {
    return base;
  }

  public double capacityFactor() {
    return c;
  }

  /** The cap of {@code node} when {@code totalKeys} keys are assigned in all. */
  public long cap(Node node, long totalKeys) {
    return (long) Math.ceil(c * totalKeys * node.weight() / totalWeight);
  }

  /** A new, empty load tracker. */
  public Tracker tracker() {
    return new Tracker();
  }

  /**
   * The assignment of {@code keys}, in their iteration order, as if assigned one by one to an empty
   * tracker: deterministic for a given key order. Duplicate keys are assigned once.
   */
  public Map<String, Node> assignAll(Iterable<String> keys) {
    Tracker t = tracker();
    Map<String, Node> out = new LinkedHashMap<>();
    for (String k : keys) {
      out.put(k, t.assign(k));
    }
    return out;
  }

  /**
   * The loads of one set of assigned keys. Thread-safe: each call holds a lock for the duration of
   * a preference-list walk (no I/O, no waiting).
   */
  public final class Tracker {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Node> assigned = new HashMap<>();
    private final Map<String, Long> load = new HashMap<>();

    private Tracker() {}

    /**
     * Assigns {@code key} (or returns its current node if already assigned): the first node in the
     * base preference order whose load is below its cap counting this key.
     */
    public Node assign(String key) {
      Objects.requireNonNull(key, "key");
      lock.lock();
      try {
        Node current = assigned.get(key);
        if (current != null) {
          return current;
        }
        long total = assigned.size() + 1L;
        long h = Partitioner.hash(key);
        Node first = base.owner(h);
        Node chosen = hasRoom(first, total) ? first : firstWithRoom(h, total);
        assigned.put(key, chosen);
        load.merge(chosen.id(), 1L, Long::sum);
        return chosen;
      } finally {
        lock.unlock();
      }
    }

    private boolean hasRoom(Node n, long total) {
      return load.getOrDefault(n.id(), 0L) < cap(n, total);
    }

    /** Walks the preference order in growing prefixes (2, 4, 8 … owners), so a spill is cheap. */
    private Node firstWithRoom(long h, long total) {
      int n = base.nodes().size();
      int from = 1;
      for (int k = Math.min(2, n); ; k = Math.min(2 * k, n)) {
        List<Node> order = base.owners(h, k);
        for (int i = from; i < order.size(); i++) {
          if (hasRoom(order.get(i), total)) {
            return order.get(i);
          }
        }
        if (k == n) {
          throw new IllegalStateException(
              "bounded load: no node below its cap; caps sum to < keys");
        }
        from = order.size();
      }
    }

    /** Releases {@code key}; false if it was not assigned. */
    public boolean release(String key) {
      lock.lock();
      try {
        Node n = assigned.remove(key);
        if (n == null) {
          return false;
        }
        load.computeIfPresent(n.id(), (id, l) -> l == 1 ? null : l - 1);
        return true;
      } finally {
        lock.unlock();
      }
    }

    /** The node {@code key} is assigned to, or null. */
    public @Nullable Node ownerOf(String key) {
      lock.lock();
      try {
        return assigned.get(key);
      } finally {
        lock.unlock();
      }
    }

    /** The number of keys per node, every node of the base listed (0 if none). */
    public Map<Node, Long> loads() {
      lock.lock();
      try {
        Map<Node, Long> out = new LinkedHashMap<>();
        for (Node n : base.nodes()) {
          out.put(n, load.getOrDefault(n.id(), 0L));
        }
        return out;
      } finally {
        lock.unlock();
      }
    }

    /** The number of keys assigned. */
    public long total() {
      lock.lock();
      try {
        return assigned.size();
      } finally {
        lock.unlock();
      }
    }

    /** Whether every node is within its cap for the current total. */
    public boolean isWithinCaps() {
      lock.lock();
      try {
        for (Node n : base.nodes()) {
          if (load.getOrDefault(n.id(), 0L) > cap(n, assigned.size())) {
            return false;
          }
        }
        return true;
      } finally {
        lock.unlock();
      }
    }
  }
}
