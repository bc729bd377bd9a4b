package io.bulwark.events;

import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Which backend to open, bindable from YAML with {@code ConfigLoader}:
 *
 * <pre>
 * backend: embedded            # or kafka
 * embedded:
 *   directory: /var/lib/app/events
 *   durability: fsync-per-batch # or os-cache
 *   segment-bytes: 67108864
 *   corruption-policy: fail     # or truncate
 * kafka:
 *   bootstrap-servers: broker1:9092,broker2:9092
 *   replication-factor: 3
 *   properties:
 *     security.protocol: SSL
 * </pre>
 *
 * Exactly one backend is configured; bad values are reported with file, line and field.
 */
public final class EventLogConfig {
  private final @Nullable EmbeddedLogConfig embedded;
  private final @Nullable KafkaLogConfig kafka;

  private EventLogConfig(@Nullable EmbeddedLogConfig embedded, @Nullable KafkaLogConfig kafka) {
    this.embedded = embedded;
    this.kafka = kafka;
  }

  public static EventLogConfig embedded(EmbeddedLogConfig config) {
    return new EventLogConfig(config, null);
  }

  public static EventLogConfig kafka(KafkaLogConfig config) {
    return new EventLogConfig(null, config);
  }

  public @Nullable EmbeddedLogConfig embedded() {
    return embedded;
  }

  public @Nullable KafkaLogConfig kafka() {
    return kafka;
  }

  /**
   * Binds the section read by {@code reader} (see the class comment for the keys). Problems are
   * recorded on the reader; {@code ConfigLoader} then throws them all together.
   */
  public static EventLogConfig bind(ConfigReader reader) {
    Backend[] backend = {Backend.EMBEDDED};
    reader.enumValue("backend", Backend.class, b -> backend[0] = b);
    Optional<EmbeddedLogConfig> e = reader.section("embedded", EventLogConfig::bindEmbedded);
    Optional<KafkaLogConfig> k = reader.section("kafka", EventLogConfig::bindKafka);
    EmbeddedLogConfig embedded = e == null ? null : e.orElse(null);
    KafkaLogConfig kafka = k == null ? null : k.orElse(null);
    if (backend[0] == Backend.EMBEDDED) {
      if (embedded == null) {
        reader.require("embedded");
        return new EventLogConfig(null, null); // a problem is recorded: the loader throws
      }
      return embedded(embedded);
    }
    if (kafka == null) {
      reader.require("kafka");
      return new EventLogConfig(null, null); // a problem is recorded: the loader throws
    }
    return kafka(kafka);
  }

  private static Optional<EmbeddedLogConfig> bindEmbedded(ConfigReader r) {
    AtomicReference<EmbeddedLogConfig.@Nullable Builder> b = new AtomicReference<>();
    r.require("directory").string("directory", d -> b.set(EmbeddedLogConfig.builder(Path.of(d))));
    EmbeddedLogConfig.Builder builder = b.get();
    if (builder == null) {
      return Optional.empty();
    }
    r.enumValue("durability", EmbeddedLogConfig.Durability.class, builder::durability)
        .longValue("segment-bytes", builder::segmentBytes)
        .integer("index-interval-bytes", builder::indexIntervalBytes)
        .integer("max-batch-bytes", builder::maxBatchBytes)
        .duration("producer-id-expiration", builder::producerIdExpiration)
        .enumValue(
            "corruption-policy",
            EmbeddedLogConfig.CorruptionPolicy.class,
            builder::corruptionPolicy);
    return Optional.of(builder.build());
  }

  private static Optional<KafkaLogConfig> bindKafka(ConfigReader r) {
    AtomicReference<KafkaLogConfig.@Nullable Builder> b = new AtomicReference<>();
    r.require("bootstrap-servers")
        .string("bootstrap-servers", s -> b.set(KafkaLogConfig.builder(s)));
    KafkaLogConfig.Builder builder = b.get();
    if (builder == null) {
      return Optional.empty();
    }
    r.integer("replication-factor", builder::replicationFactor);
    r.section(
        "properties",
        p -> {
          for (String key : p.keys()) {
            p.string(key, v -> builder.clientProperty(key, v));
          }
          return Boolean.TRUE;
        });
    return Optional.of(builder.build());
  }

  private enum Backend {
    EMBEDDED,
    KAFKA
  }
}
