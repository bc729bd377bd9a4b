package io.bulwark.saga.http;

import io.bulwark.core.context.Context;
import io.bulwark.http.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request the saga routes refuse: its status, a short code, the parameter at fault (a query or
 * path parameter, a body field, or {@code body}), the value received and a message naming both.
 * Stackless; answered as {@code {"status","error","message","parameter","value","correlationId"}}
 * (the server's error shape plus the parameter and the value).
 */
final class BadInput extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Values echoed in errors are cut to this many characters (a caller may send megabytes). */
  static final int MAX_ECHO = 200;

  private final int status;
  private final String code;
  private final String parameter;
  private final @Nullable String value;

  BadInput(int status, String code, String parameter, @Nullable String value, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.parameter = parameter;
    this.value = value == null ? null : echo(value);
  }

  /** 400 {@code bad_parameter}. */
  static BadInput parameter(String parameter, @Nullable String value, String message) {
    return new BadInput(400, "bad_parameter", parameter, value, message);
  }

  /** 404 {@code unknown_run} for run {@code id}. */
  static BadInput unknownRun(String id) {
    return new BadInput(404, "unknown_run", "id", id, "unknown run id '" + echo(id) + "'");
  }

  /** {@code value} as quoted in a message: at most {@link #MAX_ECHO} characters. */
  static String echo(String value) {
    return value.length() <= MAX_ECHO
        ? value
        : value.substring(0, MAX_ECHO) + "... (" + value.length() + " characters)";
  }

  int status() {
    return status;
  }

  /** The JSON answer. */
  Response answer() {
    Map<String, @Nullable Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("error", code);
    body.put("message", getMessage());
    body.put("parameter", parameter);
    body.put("value", value);
    body.put("correlationId", Context.current().correlationId());
    return Response.json(status, body);
  }
}
