package io.bulwark.saga.http;

import io.bulwark.http.Request;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Reads the routes' query and path parameters; every refusal is a {@link BadInput} that names the
 * parameter and the value.
 */
final class Params {
  static final int DEFAULT_LIMIT = 100;
  private static final String STATUSES =
      Arrays.stream(RunStatus.values()).map(Enum::name).collect(Collectors.joining(", "));

  private Params() {}

  /** The run listing's filter from {@code workflow, status, from, to, limit}. */
  static RunQuery runQuery(Request r) {
    String workflow = r.query("workflow");
    if (workflow != null) {
      name("workflow", workflow);
    }
    Set<RunStatus> statuses = statuses(r.query("status"));
    Instant from = instant("from", r.query("from"));
    Instant to = instant("to", r.query("to"));
    if (from != null && to != null && !from.isBefore(to)) {
      throw BadInput.parameter(
          "from", from.toString(), "query parameter from " + from + " must be before to " + to);
    }
    int limit = limit(r.query("limit"));
    return new RunQuery(workflow, statuses, from, to, limit);
  }

  /** {@code status=COMPLETED,PARKED} (case-insensitive); absent or empty: every status. */
  static Set<RunStatus> statuses(@Nullable String value) {
    if (value == null || value.isEmpty()) {
      return Set.of();
    }
    Set<RunStatus> out = EnumSet.noneOf(RunStatus.class);
    for (String part : value.split(",", -1)) {
      String name = part.trim().toUpperCase(Locale.ROOT);
      try {
        out.add(RunStatus.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw BadInput.parameter(
            "status",
            value,
            "query parameter status: '"
                + BadInput.echo(part)
                + "' is not a run status; expected one or more of "
                + STATUSES
                + ", separated by commas");
      }
    }
    return out;
  }

  /** An ISO-8601 instant such as {@code 2026-12-05T10:15:30Z}, or null when absent. */
  static @Nullable Instant instant(String parameter, @Nullable String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw BadInput.parameter(
          parameter,
          value,
          "query parameter "
              + parameter
              + ": '"
              + BadInput.echo(value)
              + "' is not an ISO-8601 instant such as 2026-12-05T10:15:30Z");
    }
  }

  /** 1 to {@link RunQuery#MAX_LIMIT}; {@value #DEFAULT_LIMIT} when absent. */
  static int limit(@Nullable String value) {
    if (value == null || value.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    long limit;
    try {
      limit = Long.parseLong(value);
    } catch (NumberFormatException e) {
      limit = Long.MIN_VALUE;
    }
    if (limit < 1 || limit > RunQuery.MAX_LIMIT) {
      throw BadInput.parameter(
          "limit",
          value,
          "query parameter limit must be a whole number from 1 to "
              + RunQuery.MAX_LIMIT
              + ", got '"
              + BadInput.echo(value)
              + "'");
    }
    return (int) limit;
  }

  /**
   * A path parameter, percent-decoded ({@code +} stays a plus; a child run's id {@code
   * parent/child} arrives as {@code parent%2Fchild}).
   */
  static String path(Request r, String parameter) {
    String raw = r.pathParam(parameter);
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw BadInput.parameter(
          parameter,
          raw,
          "path parameter " + parameter + ": '" + BadInput.echo(raw) + "' is not percent-encoded");
    }
  }

  /**
   * A name as the saga API accepts it (workflow, signal): 1 to 128 letters, digits and {@code . _ -
   * :}.
   */
  static String name(String parameter, String value) {
    boolean ok = !value.isEmpty() && value.length() <= 128;
    for (int i = 0; ok && i < value.length(); i++) {
      char c = value.charAt(i);
      ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == ':';
    }
    if (!ok) {
      throw BadInput.parameter(
          parameter,
          value,
          parameter
              + " must be 1 to 128 letters, digits and . _ - :, got '"
              + BadInput.echo(value)
              + "'");
    }
    return value;
  }
}
