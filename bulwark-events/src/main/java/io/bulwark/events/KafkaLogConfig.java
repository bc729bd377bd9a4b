package io.bulwark.events;

import io.bulwark.core.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the Kafka backend. Immutable; built by {@link #builder(String)} with the bootstrap
 * servers ({@code host:port[,host:port...]}); each setter validates. {@code clientProperties} are
 * passed to every Kafka client as given and override Bulwark's defaults (acks=all, idempotence,
 * read_committed); use them for TLS/SASL and tuning.
 *
 * <p>{@code clock} (default {@link Clock#system()}) is where the backend reads time wherever it
 * measures or decides: the wait for new topics' leaders and the absolute deadline written into
 * record headers. The Kafka client's own timers (request, session, transaction timeouts) run on the
 * JVM's clock and are out of its reach.
 */
public final class KafkaLogConfig {
  private final String bootstrapServers;
  private final Map<String, String> clientProperties;
  private final short replicationFactor;
  private final Clock clock;

  private KafkaLogConfig(Builder b) {
    this.bootstrapServers = b.bootstrapServers;
    this.clientProperties = Map.copyOf(b.clientProperties);
    this.replicationFactor = b.replicationFactor;
    this.clock = b.clock;
  }

  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /**
   * A builder holding this config's values: {@code toBuilder().build()} equals this in every field.
   */
  public Builder toBuilder() {
    Builder b = new Builder(bootstrapServers);
    b.clientProperties.putAll(clientProperties);
    b.replicationFactor = replicationFactor;
    b.clock = clock;
    return b;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Map<String, String> clientProperties() {
    return clientProperties;
  }

  /** Replication factor of created topics; -1 for the broker default. */
  public short replicationFactor() {
    return replicationFactor;
  }

  /** The clock the backend measures and decides by (not the Kafka client's own timers). */
  public Clock clock() {
    return clock;
  }

  /** Builds a {@link KafkaLogConfig}. */
  public static final class Builder {
    private final String bootstrapServers;
    private final Map<String, String> clientProperties = new LinkedHashMap<>();
    private short replicationFactor = -1;
    private Clock clock = Clock.system();

    private Builder(String bootstrapServers) {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      for (String hostPort : bootstrapServers.split(",", -1)) {
        int colon = hostPort.lastIndexOf(':');
        boolean ok = colon > 0 && colon < hostPort.length() - 1;
        if (ok) {
          try {
            int port = Integer.parseInt(hostPort.substring(colon + 1).trim());
            ok = port > 0 && port < 65536;
          } catch (NumberFormatException e) {
            ok = false;
          }
        }
        if (!ok) {
          throw new IllegalArgumentException(
              "bootstrapServers must be host:port[,host:port...], was '"
                  + bootstrapServers
                  + "' (bad entry '"
                  + hostPort
                  + "')");
        }
      }
      this.bootstrapServers = bootstrapServers;
    }

    public Builder clientProperty(String name, String value) {
      if (name.isBlank()) {
        throw new IllegalArgumentException("client property name must not be blank");
      }
      clientProperties.put(name, Objects.requireNonNull(value, () -> "value of " + name));
      return this;
    }

    public Builder replicationFactor(int replicationFactor) {
      if (replicationFactor != -1 && (replicationFactor < 1 || replicationFactor > 32)) {
        throw new IllegalArgumentException(
            "replicationFactor must be -1 (broker default) or 1..32, was " + replicationFactor);
      }
      this.replicationFactor = (short) replicationFactor;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public KafkaLogConfig build() {
      return new KafkaLogConfig(this);
    }
  }
}
