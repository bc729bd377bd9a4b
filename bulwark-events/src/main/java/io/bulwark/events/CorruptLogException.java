package io.bulwark.events;

import io.bulwark.core.error.FatalException;

/**
 * The log found data that fails its CRC or framing where a torn tail cannot explain it (e.g. in the
 * middle of a closed segment). The data is never served; the message names the file and position.
 * Opening with {@code CorruptionPolicy.TRUNCATE} repairs by cutting the partition there.
 */
public final class CorruptLogException extends FatalException {
  private static final long serialVersionUID = 1L;

  public CorruptLogException(String message) {
    super(message);
  }
}
