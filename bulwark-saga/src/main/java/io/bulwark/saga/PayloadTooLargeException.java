package io.bulwark.saga;

/**
 * A value to store (input, step result, signal payload, state) is larger than the engine's payload
 * limit; the message names the run, what was stored (e.g. {@code step reserve}) and both sizes.
 * Nothing was stored.
 */
public final class PayloadTooLargeException extends SagaException {
  private static final long serialVersionUID = 1L;
  private final String what;
  private final int bytes;
  private final int limit;

  public PayloadTooLargeException(String runId, String what, int bytes, int limit) {
    super(
        "run "
            + runId
            + ": "
            + what
            + " is "
            + bytes
            + " bytes of JSON, over the limit of "
            + limit,
        null);
    this.what = what;
    this.bytes = bytes;
    this.limit = limit;
  }

  public String what() {
    return what;
  }

  public int bytes() {
    return bytes;
  }

  public int limit() {
    return limit;
  }

  @Override
  public boolean isRetriable() {
    return false;
  }
}
