package io.bulwark.events;

/**
 * Maps a record key to a partition. The hash is documented and identical on every backend, so a key
 * lands in the same partition on the embedded log and on Kafka (it is the hash of Kafka's default
 * partitioner):
 *
 * <pre>partition = (murmur2(keyBytes) &amp; 0x7fffffff) % partitions</pre>
 *
 * where {@code murmur2} is the 32-bit MurmurHash2 with seed {@code 0x9747b28c}. Records without a
 * key are spread round-robin by the producer. Pure and thread-safe.
 */
public final class Partitioner {
  private static final int SEED = 0x9747b28c;
  private static final int M = 0x5bd1e995;
  private static final int R = 24;

  private Partitioner() {}

  /** The partition of {@code key} among {@code partitions}. */
  public static int partitionFor(byte[] key, int partitions) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be > 0, was " + partitions);
    }
    return (murmur2(key) & 0x7fffffff) % partitions;
  }

  /** 32-bit MurmurHash2 of {@code data} with the seed above. */
  @SuppressWarnings("fallthrough") // the tail bytes fall through, as in MurmurHash2 itself
  public static int murmur2(byte[] data) {
    int length = data.length;
    int h = SEED ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      int i4 = i * 4;
      int k =
          (data[i4] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= M;
      k ^= k >>> R;
      k *= M;
      h *= M;
      h ^= k;
    }
    int tail = length4 * 4;
    switch (length % 4) {
      case 3:
        h ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        h ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        h ^= data[tail] & 0xff;
        h *= M;
        break;
      default:
        break;
    }
    h ^= h >>> 13;
    h *= M;
    h ^= h >>> 15;
    return h;
  }
}
