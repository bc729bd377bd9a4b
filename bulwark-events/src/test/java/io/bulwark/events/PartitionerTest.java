package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class PartitionerTest {
  @Test
  void placesEveryKeyWhereKafkasDefaultPartitionerDoes() {
    Random random = new Random(42);
    for (int i = 0; i < 5000; i++) {
      byte[] key = new byte[random.nextInt(40)];
      random.nextBytes(key);
      int n = 1 + random.nextInt(64);
      assertThat(Partitioner.partitionFor(key, n))
          .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % n);
    }
  }

  @Test
  void spreadsKeysEvenly() {
    int[] counts = new int[8];
    for (int i = 0; i < 80_000; i++) {
      counts[Partitioner.partitionFor(("order-" + i).getBytes(StandardCharsets.UTF_8), 8)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(9_000, 11_000);
    }
  }

  @Test
  void rejectsANonPositivePartitionCount() {
    assertThatThrownBy(() -> Partitioner.partitionFor(new byte[] {1}, 0))
        .hasMessageContaining("partitions must be > 0, was 0");
  }
}
