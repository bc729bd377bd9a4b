package io.bulwark.http.client;

import io.bulwark.core.error.BulwarkException;
import io.bulwark.core.error.TimeoutFailure;
import org.jspecify.annotations.Nullable;

/**
 * A call to a service failed: the endpoint answered 5xx, or the connection failed, or no endpoint
 * was available. Retriable unless the server said the method is not implemented (501) or the HTTP
 * version is unsupported (505); retry policies and outlier ejection read {@link #isRetriable()}.
 */
public final class HttpCallException extends BulwarkException implements TimeoutFailure {
  private static final long serialVersionUID = 1L;

  private final String service;
  private final int status;
  private final @Nullable String endpointId;
  private final boolean timeout;

  public HttpCallException(
      String service,
      int status,
      @Nullable String endpointId,
      String message,
      @Nullable Throwable cause) {
    this(service, status, endpointId, message, cause, false);
  }

  /** A call that got no answer within its timeout. */
  public static HttpCallException timeout(String service, String endpointId, String message) {
    return new HttpCallException(service, 0, endpointId, message, null, true);
  }

  private HttpCallException(
      String service,
      int status,
      @Nullable String endpointId,
      String message,
      @Nullable Throwable cause,
      boolean timeout) {
    super(message, cause, false);
    this.service = service;
    this.status = status;
    this.endpointId = endpointId;
    this.timeout = timeout;
  }

  /** True if no answer came within the timeout. */
  @Override
  public boolean isTimeout() {
    return timeout;
  }

  public String service() {
    return service;
  }

  /** The HTTP status, or 0 if no response arrived. */
  public int status() {
    return status;
  }

  /** The endpoint that failed, or null if none was chosen. */
  public @Nullable String endpointId() {
    return endpointId;
  }

  @Override
  public boolean isRetriable() {
    return status != 501 && status != 505;
  }
}
