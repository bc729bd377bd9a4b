package io.bulwark.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The standard serdes: raw bytes, UTF-8 strings and JSON through Jackson. */
public final class Serdes {
  private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

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
