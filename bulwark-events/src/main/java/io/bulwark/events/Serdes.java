package io.bulwark.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The standard serdes: raw bytes, UTF-8 strings and JSON through Jackson. */
public final class Serdes {
  /**
   * Consumers and producers often run on virtual threads, one per task: Jackson's default buffer
   * pool (one recycler per thread) would never reuse a buffer there, so this mapper shares its
   * recyclers in one concurrent pool.
   */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                  .build())
          .findAndAddModules()
          .build();

  private Serdes() {}

  public static Serde<byte[]> bytes() {
    return BytesSerde.INSTANCE;
  }

  public static Serde<String> string() {
    return StringSerde.INSTANCE;
  }

  /** JSON with a default {@link ObjectMapper} (modules on the class path registered). */
  public static <T> Serde<T> json(Class<T> type) {
    return json(MAPPER, type);
  }

  /** JSON with the given mapper, which must not be reconfigured afterwards. */
  public static <T> Serde<T> json(ObjectMapper mapper, Class<T> type) {
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(type, "type");
    return new Serde<>() {
      @Override
      public byte[] serialize(T value) {
        try {
          return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
          throw new SerdeException("cannot write " + type.getName() + " as JSON: " + e, e);
        }
      }

      @Override
      public T deserialize(byte[] bytes) {
        try {
          return mapper.readValue(bytes, type);
        } catch (IOException e) {
          throw new SerdeException(
              "cannot read " + type.getName() + " from JSON (" + bytes.length + " bytes): " + e, e);
        }
      }
    };
  }

  private enum BytesSerde implements Serde<byte[]> {
    INSTANCE;

    @Override
    public byte[] serialize(byte[] value) {
      return value;
    }

    @Override
    public byte[] deserialize(byte[] bytes) {
      return bytes;
    }
  }

  private enum StringSerde implements Serde<String> {
    INSTANCE;

    @Override
    public byte[] serialize(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String deserialize(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
