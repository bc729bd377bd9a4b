package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Clock;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@code toBuilder()} of every events config copies every field, also fields added later: each
 * sample differs from the defaults in every field (checked by reflection), so a field the copy
 * drops comes back as its default and the comparison fails.
 */
class ConfigToBuilderTest {

  @Test
  void consumerConfig() {
    ConsumerConfig sample =
        ConsumerConfig.builder("billing")
            .startFrom(ConsumerConfig.StartFrom.LATEST)
            .maxPollRecords(7)
            .sessionTimeout(Duration.ofSeconds(20))
            .build();
    copiesEveryField(sample, ConsumerConfig.builder("other").build(), sample.toBuilder().build());
    changesOnly(sample, sample.toBuilder().maxPollRecords(8).build(), "maxPollRecords");
  }

  /** A clock that differs from {@code Clock.system()}. */
  private static Clock stoppedClock() {
    return new Clock() {
      @Override
      public long nanoTime() {
        return 0;
      }

      @Override
      public long wallMillis() {
        return 0;
      }
    };
  }

  @Test
  void embeddedLogConfig() {
    Clock clock = stoppedClock();
    EmbeddedLogConfig sample =
        EmbeddedLogConfig.builder(Path.of("/tmp/a"))
            .clock(clock)
            .durability(EmbeddedLogConfig.Durability.OS_CACHE)
            .segmentBytes(1 << 20)
            .indexIntervalBytes(128)
            .maxBatchBytes(4096)
            .corruptionPolicy(EmbeddedLogConfig.CorruptionPolicy.TRUNCATE)
            .producerIdExpiration(Duration.ofHours(2))
            .listener(new EventLogListener() {})
            .build();
    copiesEveryField(
        sample, EmbeddedLogConfig.builder(Path.of("/tmp/b")).build(), sample.toBuilder().build());
    changesOnly(sample, sample.toBuilder().maxBatchBytes(8192).build(), "maxBatchBytes");
  }

  @Test
  void kafkaLogConfig() {
    KafkaLogConfig sample =
        KafkaLogConfig.builder("broker:9092")
            .clock(stoppedClock())
            .clientProperty("security.protocol", "SSL")
            .replicationFactor(3)
            .build();
    copiesEveryField(sample, KafkaLogConfig.builder("x:1").build(), sample.toBuilder().build());
    changesOnly(sample, sample.toBuilder().replicationFactor(2).build(), "replicationFactor");
  }

  @Test
  void producerConfig() {
    ProducerConfig sample =
        ProducerConfig.builder()
            .idempotent(false)
            .maxBufferedRecords(9)
            .whenFull(ProducerConfig.WhenFull.FAIL_FAST)
            .maxBlock(Duration.ofSeconds(3))
            .propagateContext(false)
            .build();
    ProducerConfig transactional = ProducerConfig.builder().transactionalId("tx-1").build();
    // tracing stays the default here: the two samples together differ from the defaults in every
    // other field, and each copy must equal its sample in every field, tracing included
    assertThat(equalFields(sample, sample.toBuilder().build()))
        .containsExactlyElementsOf(fieldNames(sample));
    assertThat(equalFields(transactional, transactional.toBuilder().build()))
        .containsExactlyElementsOf(fieldNames(transactional));
    assertThat(transactional.toBuilder().build().transactionalId()).isEqualTo("tx-1");
    changesOnly(sample, sample.toBuilder().maxBufferedRecords(10).build(), "maxBufferedRecords");
  }

  private static void copiesEveryField(Object sample, Object defaults, Object copy) {
    assertThat(equalFields(sample, defaults))
        .as("fields of the sample that equal the default (make them differ)")
        .isEmpty();
    assertThat(equalFields(sample, copy)).containsExactlyElementsOf(fieldNames(sample));
  }

  private static void changesOnly(Object sample, Object changed, String field) {
    List<String> expected = new ArrayList<>(fieldNames(sample));
    assertThat(expected).contains(field);
    expected.remove(field);
    assertThat(equalFields(sample, changed)).containsExactlyElementsOf(expected);
  }

  private static List<Field> fields(Object o) {
    List<Field> out = new ArrayList<>();
    for (Field f : o.getClass().getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        out.add(f);
      }
    }
    return out;
  }

  private static List<String> fieldNames(Object o) {
    return fields(o).stream().map(Field::getName).toList();
  }

  private static List<String> equalFields(Object a, Object b) {
    List<String> out = new ArrayList<>();
    for (Field f : fields(a)) {
      if (Objects.equals(get(f, a), get(f, b))) {
        out.add(f.getName());
      }
    }
    return out;
  }

  private static @Nullable Object get(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new AssertionError(f.getName(), e);
    }
  }
}
