package io.bulwark.events;

/**
 * Converts values of type {@code T} to bytes and back. Implementations are thread-safe and
 * stateless; a failure throws {@link SerdeException} naming the type and the cause.
 *
 * @see Serdes
 */
public interface Serde<T> {
  byte[] serialize(T value);

  T deserialize(byte[] bytes);
}
