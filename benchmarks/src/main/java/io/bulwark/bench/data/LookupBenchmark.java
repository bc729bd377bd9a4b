package io.bulwark.bench.data;

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
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBenchmark {
  static final int HASHES = 4096;

  @Param({"10", "100"})
  public int nodes;

  private final long[] hashes = new long[HASHES];
  private GuavaJump guava;
  private BlogPostRing blogPostRing;

  /** The index of the next key; per thread. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < HASHES; i++) {
      hashes[i] = random.nextLong();
    }
    var ids = Subjects.nodeIds(nodes);
    guava = new GuavaJump(ids);
    blogPostRing = new BlogPostRing(ids);
  }

  private long hash(Cursor c) {
    return hashes[c.next++ & (HASHES - 1)];
  }

  @Benchmark
  public String jump_guava(Cursor c) {
    return guava.owner(hash(c));
  }

  @Benchmark
  public String ring_blogpost(Cursor c) {
    return blogPostRing.owner(hash(c));
  }
}
