package io.bulwark.http;

import org.jspecify.annotations.Nullable;

/**
 * An error answer chosen by a handler (or by the server's filters): a status, a short
 * machine-readable code and a message safe to show to the caller. The server renders it as {@code
 * {"status":..,"error":..,"message":..,"correlationId":..}}; no stack trace ever leaves the
 * process. Stackless: throwing one costs about as much as any small object.
 */
public final class HttpProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final @Nullable String retryAfterSeconds;

  private HttpProblem(int status, String code, String message, @Nullable String retryAfter) {
    super(message, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("problem status must be 4xx or 5xx, was " + status);
    }
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfter;
  }

  /** A problem with any 4xx/5xx status. */
  public static HttpProblem of(int status, String code, String message) {
    return new HttpProblem(status, code, message, null);
  }

  public static HttpProblem badRequest(String message) {
    return of(400, "bad_request", message);
  }

  public static HttpProblem notFound(String message) {
    return of(404, "not_found", message);
  }

  public static HttpProblem conflict(String message) {
    return of(409, "conflict", message);
  }

  /** 503 with a {@code Retry-After} of {@code seconds}. */
  public static HttpProblem unavailable(String code, String message, long retryAfterSeconds) {
    return new HttpProblem(503, code, message, Long.toString(Math.max(0, retryAfterSeconds)));
  }

  public int status() {
    return status;
  }

  /** Short machine-readable code, e.g. {@code malformed_json}. */
  public String code() {
    return code;
  }

  /** The {@code Retry-After} header value, if this problem carries one. */
  public @Nullable String retryAfter() {
    return retryAfterSeconds;
  }

  @Override
  public String getMessage() {
    String m = super.getMessage();
    return m == null ? code : m;
  }
}
