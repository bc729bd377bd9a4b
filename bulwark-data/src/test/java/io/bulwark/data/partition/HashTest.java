package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link Partitioner#hash} decides where data lives, so its outputs are pinned: a change to the
 * function fails here first (a change of placement would need a migration, not a release note).
 * Beyond that, it must spread: full avalanche and even buckets for sequential keys.
 */
class HashTest {

  @Test
  void outputsArePinnedAcrossReleases() {
    assertThat(Partitioner.hash("")).isEqualTo(0xE220A8397B1DCDAFL);
    assertThat(Partitioner.hash("a")).isEqualTo(0x09E6B82A339FF850L);
    assertThat(Partitioner.hash("a\0")).isEqualTo(0x92D08C74F579419AL);
    assertThat(Partitioner.hash("user:42")).isEqualTo(0x51270917F7EDF25EL);
    assertThat(Partitioner.hash("order-00017")).isEqualTo(0x75C0288865C77CF5L);
    assertThat(Partitioner.hash("\u043a\u043b\u044e\u0447")).isEqualTo(0x6AECCEE0F8FFE518L);
    assertThat(Partitioner.hash("\uD83D\uDE00x")).isEqualTo(0xE23643BF2CA50278L);
    assertThat(Partitioner.hash("abcdefghijklmnopq")).isEqualTo(0x22D184E5EDAFD65AL);
  }

  /** Flipping any one input bit flips each output bit with probability ½: mean 32 of 64. */
  @Test
  void flippingOneInputBitFlipsHalfTheOutputBits() {
    Random r = new Random(17);
    long flipped = 0;
    int trials = 0;
    int[] perOutputBit = new int[64];
    for (int t = 0; t < 4000; t++) {
      char[] key = new char[1 + r.nextInt(24)];
      for (int i = 0; i < key.length; i++) {
        key[i] = (char) (32 + r.nextInt(95));
      }
      long h = Partitioner.hash(new String(key));
      int pos = r.nextInt(key.length);
      key[pos] ^= (char) (1 << r.nextInt(16));
      long diff = h ^ Partitioner.hash(new String(key));
      flipped += Long.bitCount(diff);
      for (int b = 0; b < 64; b++) {
        perOutputBit[b] += (int) ((diff >>> b) & 1);
      }
      trials++;
    }
    // mean of 4000·64 fair coin flips: 32 ± 4.5σ (σ = 4/√4000 ≈ 0.063)
    assertThat(flipped / (double) trials).isBetween(31.7, 32.3);
    for (int b = 0; b < 64; b++) {
      // each output bit: Binomial(4000, ½), mean 2000, σ ≈ 31.6; ±6σ
      assertThat(perOutputBit[b]).as("output bit %d", b).isBetween(1810, 2190);
    }
  }

  /** Sequential keys ("user-0", "user-1", …) land evenly in 1,024 buckets by high and low bits. */
  @Test
  void sequentialKeysSpreadEvenly() {
    int keys = 1 << 20;
    int[] high = new int[1024];
    int[] low = new int[1024];
    for (int i = 0; i < keys; i++) {
      long h = Partitioner.hash("user-" + i);
      high[(int) (h >>> 54)]++;
      low[(int) (h & 1023)]++;
    }
    // chi-square with 1023 degrees of freedom: mean 1023, sd √2046 ≈ 45; allow 6 sd
    assertThat(chiSquare(high, keys)).isLessThan(1023 + 6 * 45.3);
    assertThat(chiSquare(low, keys)).isLessThan(1023 + 6 * 45.3);
  }

  private static double chiSquare(int[] counts, int total) {
    double expected = total / (double) counts.length;
    double chi = 0;
    for (int c : counts) {
      chi += (c - expected) * (c - expected) / expected;
    }
    return chi;
  }

  @Test
  void shortKeysThatDifferOnlyInLengthOrOrderDiffer() {
    Set<Long> seen = new HashSet<>();
    String[] keys = {
      "", "\0", "\0\0", "\0\0\0", "\0\0\0\0", "\0\0\0\0\0", "ab", "ba", "abcd", "abdc"
    };
    for (String k : keys) {
      assertThat(seen.add(Partitioner.hash(k)))
          .as("hash of %s is new", k.replace("\0", "\\0"))
          .isTrue();
    }
  }

  @Test
  void aNullKeyIsRejectedByName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Partitioner.hash(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key must not be null");
  }

  @Property(tries = 500)
  void theSameStringAlwaysHashesTheSame(@ForAll String key) {
    assertThat(Partitioner.hash(key)).isEqualTo(Partitioner.hash(new String(key.toCharArray())));
  }
}
