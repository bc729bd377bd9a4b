package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Clock;
import io.bulwark.test.kit.ConfigCopies;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code toBuilder()} of every events config copies every field, also fields added later: each
 * sample differs from the defaults in every field (checked by reflection), so a field the copy
 * drops comes back as its default and the comparison fails.
 */
class ConfigToBuilderTest {
  private static final ConfigCopies COPIES = ConfigCopies.using(MethodHandles.lookup());

  @Test
  void consumerConfig() {
    ConsumerConfig sample =
        ConsumerConfig.builder("billing")
            .startFrom(ConsumerConfig.StartFrom.LATEST)
            .maxPollRecords(7)
            .sessionTimeout(Duration.ofSeconds(20))
            .build();
    COPIES.copiesEveryField(
        sample, ConsumerConfig.builder("other").build(), sample.toBuilder().build());
    COPIES.changesOnly(sample, sample.toBuilder().maxPollRecords(8).build(), "maxPollRecords");
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
    COPIES.copiesEveryField(
        sample, EmbeddedLogConfig.builder(Path.of("/tmp/b")).build(), sample.toBuilder().build());
    COPIES.changesOnly(sample, sample.toBuilder().maxBatchBytes(8192).build(), "maxBatchBytes");
  }

  @Test
  void kafkaLogConfig() {
    KafkaLogConfig sample =
        KafkaLogConfig.builder("broker:9092")
            .clock(stoppedClock())
            .clientProperty("security.protocol", "SSL")
            .replicationFactor(3)
            .build();
    COPIES.copiesEveryField(
        sample, KafkaLogConfig.builder("x:1").build(), sample.toBuilder().build());
    COPIES.changesOnly(
        sample, sample.toBuilder().replicationFactor(2).build(), "replicationFactor");
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
    assertThat(COPIES.equalFields(sample, sample.toBuilder().build()))
        .containsExactlyElementsOf(COPIES.fieldNames(sample));
    assertThat(COPIES.equalFields(transactional, transactional.toBuilder().build()))
        .containsExactlyElementsOf(COPIES.fieldNames(transactional));
    assertThat(transactional.toBuilder().build().transactionalId()).isEqualTo("tx-1");
    COPIES.changesOnly(
        sample, sample.toBuilder().maxBufferedRecords(10).build(), "maxBufferedRecords");
  }
}
