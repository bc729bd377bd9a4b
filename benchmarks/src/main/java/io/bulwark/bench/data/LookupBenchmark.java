package io.bulwark.bench.data;

import io.bulwark.data.partition.BoundedLoad;
import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One owner lookup of an already-hashed key, per algorithm, for 10 and 100 nodes of weight 1:
 * Bulwark's partitioners beside Guava's {@code Hashing.consistentHash} (indexing the node list) and
 * the {@link BlogPostRing}. Every side returns the owning node; the keys are {@value #HASHES}
 * random 64-bit hashes walked in order, the same for every side. Method names are {@code
 * <algorithm>_<side>}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBenchmark {
  static final int HASHES = 4096;
  static final int ASSIGNED_PER_NODE = 100;

  /** The key hashes and the index of the next one; per thread, the same sequence for every side. */
  @State(Scope.Thread)
  public static class Keys {
    final long[] hashes = new long[HASHES];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      SplittableRandom random = new SplittableRandom(42);
      for (int i = 0; i < HASHES; i++) {
        hashes[i] = random.nextLong();
      }
    }

    long next() {
      return hashes[next++ & (HASHES - 1)];
    }
  }

  /** The membership size, shared by the sides' states. */
  @State(Scope.Benchmark)
  public static class Members {
    @Param({"10", "100"})
    public int nodes;
  }

  @State(Scope.Benchmark)
  public static class RingState {
    Partitioner ring;

    @Setup(Level.Trial)
    public void setUp(Members m) {
      ring = Partitioner.ring(Subjects.nodes(m.nodes));
    }
  }

  @State(Scope.Benchmark)
  public static class JumpState {
    Partitioner jump;

    @Setup(Level.Trial)
    public void setUp(Members m) {
      jump = Partitioner.jump(Subjects.nodes(m.nodes));
    }
  }

  @State(Scope.Benchmark)
  public static class RendezvousState {
    Partitioner rendezvous;

    @Setup(Level.Trial)
    public void setUp(Members m) {
      rendezvous = Partitioner.rendezvous(Subjects.nodes(m.nodes));
    }
  }

  @State(Scope.Benchmark)
  public static class MaglevState {
    Partitioner maglev;

    @Setup(Level.Trial)
    public void setUp(Members m) {
      maglev = Partitioner.maglev(Subjects.nodes(m.nodes));
    }
  }

  @State(Scope.Benchmark)
  public static class GuavaState {
    GuavaJump guava;

    @Setup(Level.Trial)
    public void setUp(Members m) {
      guava = new GuavaJump(Subjects.nodeIds(m.nodes));
    }
  }

  @State(Scope.Benchmark)
  public static class BlogPostState {
    BlogPostRing ring;

    @Setup(Level.Trial)
    public void setUp(Members m) {
      ring = new BlogPostRing(Subjects.nodeIds(m.nodes));
    }
  }

  /**
   * A tracker holding {@value #ASSIGNED_PER_NODE} keys per node, and the keys it cycles through.
   */
  @State(Scope.Benchmark)
  public static class BoundedState {
    BoundedLoad.Tracker tracker;
    String[] keys;
    int assigned;
    int next;

    @Setup(Level.Trial)
    public void setUp(Members m) {
      tracker =
          BoundedLoad.over(Partitioner.ring(Subjects.nodes(m.nodes)), Subjects.BOUNDED_LOAD_C)
              .tracker();
      assigned = ASSIGNED_PER_NODE * m.nodes;
      keys = new String[Integer.highestOneBit(assigned) * 4];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "key-" + i;
      }
      for (int i = 0; i < assigned; i++) {
        tracker.assign(keys[i]);
      }
      next = assigned;
    }
  }

  @Benchmark
  public Node ring_bulwark(RingState s, Keys k) {
    return s.ring.owner(k.next());
  }

  @Benchmark
  public Node jump_bulwark(JumpState s, Keys k) {
    return s.jump.owner(k.next());
  }

  @Benchmark
  public Node rendezvous_bulwark(RendezvousState s, Keys k) {
    return s.rendezvous.owner(k.next());
  }

  @Benchmark
  public Node maglev_bulwark(MaglevState s, Keys k) {
    return s.maglev.owner(k.next());
  }

  /** Assigns a key not assigned yet and releases the oldest: the tracker stays at its size. */
  @Benchmark
  public Node boundedLoad_bulwark(BoundedState s) {
    int mask = s.keys.length - 1;
    Node owner = s.tracker.assign(s.keys[s.next & mask]);
    s.tracker.release(s.keys[(s.next - s.assigned) & mask]);
    s.next++;
    return owner;
  }

  @Benchmark
  public String jump_guava(GuavaState s, Keys k) {
    return s.guava.owner(k.next());
  }

  @Benchmark
  public String ring_blogpost(BlogPostState s, Keys k) {
    return s.ring.owner(k.next());
  }
}
