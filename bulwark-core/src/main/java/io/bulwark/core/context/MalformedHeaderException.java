package io.bulwark.core.context;

import io.bulwark.core.error.FatalException;

/**
 * A request header that carries context (deadline, criticality, trace, baggage, correlation id)
 * could not be parsed. The message names the header, the value received and what was expected; a
 * server answers it with 400.
 */
public final class MalformedHeaderException extends FatalException {
  private static final long serialVersionUID = 1L;
  private final String header;
  private final String value;

  public MalformedHeaderException(String header, String value, String reason) {
    super("malformed header " + header + ": \"" + abbreviate(value) + "\": " + reason);
    this.header = header;
    this.value = value;
  }

  /** The header's name, lowercase. */
  public String header() {
    return header;
  }

  /** The value received. */
  public String value() {
    return value;
  }

  private static String abbreviate(String value) {
    return value.length() <= 120 ? value : value.substring(0, 117) + "...";
  }
}
