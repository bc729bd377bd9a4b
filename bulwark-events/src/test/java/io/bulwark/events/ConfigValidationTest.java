package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
  private final ConfigLoader loader = ConfigLoader.withEnv(java.util.Map.of());

  @Test
  void buildersNameTheBadValue() {
    assertThatThrownBy(() -> TopicSpec.builder("orders").partitions(0))
        .hasMessageContaining("partitions must be in 1..10000, was 0 (topic orders)");
    assertThatThrownBy(() -> TopicSpec.builder("bad/name")).hasMessageContaining("'bad/name'");
    assertThatThrownBy(() -> TopicSpec.builder("t").retention(Duration.ZERO))
        .hasMessageContaining("retention must be positive, was PT0S");
    assertThatThrownBy(() -> ProducerConfig.builder().maxBufferedRecords(0))
        .hasMessageContaining("maxBufferedRecords must be >= 1, was 0");
    assertThatThrownBy(() -> ConsumerConfig.builder(" "))
        .hasMessageContaining("groupId must be non-blank");
    assertThatThrownBy(() -> ConsumerConfig.builder("g").maxPollRecords(-3))
        .hasMessageContaining("maxPollRecords must be >= 1, was -3 (group g)");
    assertThatThrownBy(() -> EmbeddedLogConfig.builder(Path.of("x")).segmentBytes(10))
        .hasMessageContaining("segmentBytes must be in 1 KiB..1 TiB, was 10");
    assertThatThrownBy(
            () ->
                EmbeddedLogConfig.builder(Path.of("x")).producerIdExpiration(Duration.ofMillis(10)))
        .hasMessageContaining("producerIdExpiration must be at least 1s, was PT0.01S");
    assertThatThrownBy(() -> KafkaLogConfig.builder("localhost"))
        .hasMessageContaining("bad entry 'localhost'");
    assertThatThrownBy(() -> OutgoingRecord.builder("t").partition(-1))
        .hasMessageContaining("partition must be >= 0, was -1 (topic t)");
  }

  @Test
  void bindsTheEmbeddedBackendFromYaml() {
    EventLogConfig config =
        loader.parse(
            """
            backend: embedded
            embedded:
              directory: /tmp/events
              durability: os-cache
              segment-bytes: 1048576
              corruption-policy: truncate
              producer-id-expiration: 6h
            """,
            "events.yaml",
            EventLogConfig::bind);
    EmbeddedLogConfig e = java.util.Objects.requireNonNull(config.embedded());
    assertThat(e.directory()).isEqualTo(Path.of("/tmp/events"));
    assertThat(e.durability()).isEqualTo(EmbeddedLogConfig.Durability.OS_CACHE);
    assertThat(e.segmentBytes()).isEqualTo(1 << 20);
    assertThat(e.corruptionPolicy()).isEqualTo(EmbeddedLogConfig.CorruptionPolicy.TRUNCATE);
    assertThat(e.producerIdExpiration()).isEqualTo(Duration.ofHours(6));
    assertThat(config.kafka()).isNull();
  }

  @Test
  void bindsTheKafkaBackendFromYaml() {
    EventLogConfig config =
        loader.parse(
            """
            backend: kafka
            kafka:
              bootstrap-servers: b1:9092,b2:9092
              replication-factor: 3
              properties:
                security.protocol: SSL
            """,
            "events.yaml",
            EventLogConfig::bind);
    KafkaLogConfig k = java.util.Objects.requireNonNull(config.kafka());
    assertThat(k.bootstrapServers()).isEqualTo("b1:9092,b2:9092");
    assertThat(k.replicationFactor()).isEqualTo((short) 3);
    assertThat(k.clientProperties()).containsEntry("security.protocol", "SSL");
  }

  @Test
  void reportsBadYamlValuesWithFileLineAndField() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    backend: embedded
                    embedded:
                      directory: /tmp/events
                      durability: sometimes
                      segment-bytes: 12
                    """,
                    "events.yaml",
                    EventLogConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("events.yaml:4")
        .hasMessageContaining("embedded.durability")
        .hasMessageContaining("sometimes")
        .hasMessageContaining("events.yaml:5")
        .hasMessageContaining("segmentBytes must be in 1 KiB..1 TiB, was 12");
  }

  @Test
  void camelCaseKeyIsRejectedNamingTheKebabCaseKey() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    backend: embedded
                    embedded:
                      directory: /tmp/events
                      segmentBytes: 1048576
                    """,
                    "events.yaml",
                    EventLogConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "events.yaml:4: embedded.segmentBytes: keys are kebab-case: write \"segment-bytes\"");
  }
}
