package io.bulwark.data.partition;

/**
 * The 64-bit hashes behind every partitioner. They decide where data lives, so they are frozen: the
 * same input gives the same output on every JVM, platform and Bulwark release.
 *
 * <p>{@link #string} reads the string's UTF-16 code units four at a time into one 64-bit word
 * (little-endian: the first char in the low 16 bits), folds each word into the state with a
 * multiply and a rotate, folds the length in last (so "a" and "a\0" differ), and ends with the
 * SplitMix64 finalizer, whose avalanche makes every output bit depend on every input bit. {@link
 * #mix} is that finalizer alone; {@link #pair} combines two hashes (a key and a node, a node and a
 * virtual-node index) without the symmetry of a plain xor.
 */
final class Hashing64 {
  private static final long SEED = 0x9E3779B97F4A7C15L;
  private static final long K1 = 0xC2B2AE3D27D4EB4FL;
  private static final long K2 = 0x165667B19E3779F9L;

  private Hashing64() {}

  static long string(String s) {
    int n = s.length();
    long h = SEED;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      long w =
          s.charAt(i)
              | (long) s.charAt(i + 1) << 16
              | (long) s.charAt(i + 2) << 32
              | (long) s.charAt(i + 3) << 48;
      h = Long.rotateLeft(h ^ (w * K1), 31) * K2;
    }
    if (i < n) {
      long w = 0;
      for (int shift = 0; i < n; i++, shift += 16) {
        w |= (long) s.charAt(i) << shift;
      }
      h = Long.rotateLeft(h ^ (w * K1), 31) * K2;
    }
    return mix(h ^ n);
  }

  /** The SplitMix64 finalizer: a bijection on 64 bits with full avalanche. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A hash of the ordered pair (a, b). */
  static long pair(long a, long b) {
    return mix(a * K1 + Long.rotateLeft(b, 23) + SEED);
  }

  /** A double uniform in (0, 1), never 0 and never 1, from the top 53 bits of {@code h}. */
  static double unitOpen(long h) {
    return ((h >>> 11) + 0.5) * 0x1.0p-53;
  }
}
