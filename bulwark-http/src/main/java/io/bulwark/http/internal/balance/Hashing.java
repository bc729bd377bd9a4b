package io.bulwark.http.internal.balance;

/** 64-bit string hashing for consistent hashing: FNV-1a over UTF-16 chars, then a murmur3 mix. */
public final class Hashing {
  private Hashing() {}

  public static long hash64(CharSequence s, long seed) {
    long h = 0xcbf29ce484222325L ^ seed;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** The murmur3 finalizer: spreads every input bit over the output. */
  public static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
