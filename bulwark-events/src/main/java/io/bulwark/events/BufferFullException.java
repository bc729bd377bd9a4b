package io.bulwark.events;

import io.bulwark.core.error.RejectedException;

/** A send was refused because the producer's buffer of unacknowledged records is full. */
public final class BufferFullException extends RejectedException {
  private static final long serialVersionUID = 1L;

  public BufferFullException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "producer_buffer_full";
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
