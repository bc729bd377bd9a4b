package io.bulwark.http.internal.balance;

import io.bulwark.http.lb.EndpointState;
import io.bulwark.http.lb.LoadBalancer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing by request key over a lookup structure built from the candidates' ids and
 * cached until the candidate set changes. Two structures: a ring with virtual nodes (binary search)
 * and a Maglev table (one array read). Both only depend on the set of ids, so every client with the
 * same endpoints maps a key to the same endpoint. A request without a key goes to a random
 * candidate.
 */
public final class ConsistentHashBalancer implements LoadBalancer {
  /** Maps a key hash to an index into the candidate list it was built from. */
  interface Table {
    int lookup(long keyHash);
  }

  interface TableBuilder {
    Table build(List<String> ids);
  }

  private record Cached(List<String> ids, Table table) {}

  private final TableBuilder builder;
  private volatile @Nullable Cached cached;

  private ConsistentHashBalancer(TableBuilder builder) {
    this.builder = builder;
  }

  public static ConsistentHashBalancer ring(int virtualNodes) {
    if (virtualNodes < 1 || virtualNodes > 10_000) {
      throw new IllegalArgumentException("virtualNodes must be 1..10000, was " + virtualNodes);
    }
    return new ConsistentHashBalancer(ids -> new Ring(ids, virtualNodes));
  }

  public static ConsistentHashBalancer maglev(int tableSize) {
    if (tableSize < 7 || tableSize > 5_000_011 || !isPrime(tableSize)) {
      throw new IllegalArgumentException(
          "Maglev tableSize must be a prime in 7..5000011, was " + tableSize);
    }
    return new ConsistentHashBalancer(ids -> new Maglev(ids, tableSize));
  }

  @Override
  public @Nullable EndpointState pick(List<EndpointState> candidates, @Nullable String key) {
    int n = candidates.size();
    if (n == 0) {
      return null;
    }
    if (key == null) {
      return candidates.get(ThreadLocalRandom.current().nextInt(n));
    }
    Table table = tableFor(candidates);
    return candidates.get(table.lookup(Hashing.hash64(key, 0)));
  }

  private Table tableFor(List<EndpointState> candidates) {
    Cached c = cached;
    if (c != null && sameIds(c.ids, candidates)) {
      return c.table;
    }
    List<String> ids = new ArrayList<>(candidates.size());
    for (EndpointState e : candidates) {
      ids.add(e.id());
    }
    Table table = builder.build(ids);
    cached = new Cached(List.copyOf(ids), table);
    return table;
  }

  private static boolean sameIds(List<String> ids, List<EndpointState> candidates) {
    if (ids.size() != candidates.size()) {
      return false;
    }
    for (int i = 0; i < ids.size(); i++) {
      if (!ids.get(i).equals(candidates.get(i).id())) {
        return false;
      }
    }
    return true;
  }

  static boolean isPrime(int n) {
    if (n < 2 || n % 2 == 0) {
      return n == 2;
    }
    for (int d = 3; (long) d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  /** Ring of {@code virtualNodes} points per id; a key goes to the first point at or after it. */
  static final class Ring implements Table {
    private final long[] points;
    private final int[] owners;

    Ring(List<String> ids, int virtualNodes) {
      int total = ids.size() * virtualNodes;
      long[] hashes = new long[total];
      int[] owner = new int[total];
      int k = 0;
      for (int i = 0; i < ids.size(); i++) {
        for (int v = 0; v < virtualNodes; v++) {
          hashes[k] = Hashing.hash64(ids.get(i) + "#" + v, 0);
          owner[k++] = i;
        }
      }
      Integer[] order = new Integer[total];
      for (int i = 0; i < total; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Long.compare(hashes[a], hashes[b]));
      points = new long[total];
      owners = new int[total];
      for (int i = 0; i < total; i++) {
        points[i] = hashes[order[i]];
        owners[i] = owner[order[i]];
      }
    }

    @Override
    public int lookup(long keyHash) {
      int i = java.util.Arrays.binarySearch(points, keyHash);
      if (i < 0) {
        i = -i - 1;
      }
      return owners[i == points.length ? 0 : i];
    }
  }

  /** Maglev table (Eisenbud et al., NSDI 2016): each id fills slots along its own permutation. */
  static final class Maglev implements Table {
    private final int[] table;

    Maglev(List<String> ids, int size) {
      int n = ids.size();
      long[] offset = new long[n];
      long[] skip = new long[n];
      for (int i = 0; i < n; i++) {
        offset[i] = Long.remainderUnsigned(Hashing.hash64(ids.get(i), 0x9e3779b97f4a7c15L), size);
        skip[i] =
            Long.remainderUnsigned(Hashing.hash64(ids.get(i), 0x632be59bd9b4e019L), size - 1) + 1;
      }
      table = new int[size];
      java.util.Arrays.fill(table, -1);
      long[] next = new long[n];
      int filled = 0;
      while (filled < size) {
        for (int i = 0; i < n && filled < size; i++) {
          int slot = (int) ((offset[i] + next[i] * skip[i]) % size);
          while (table[slot] >= 0) {
            next[i]++;
            slot = (int) ((offset[i] + next[i] * skip[i]) % size);
          }
          table[slot] = i;
          next[i]++;
          filled++;
        }
      }
    }

    @Override
    public int lookup(long keyHash) {
      return table[(int) Long.remainderUnsigned(keyHash, table.length)];
    }
  }
}
