package io.bulwark.examples.shop.common;

import io.bulwark.http.HttpProblem;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The shape of the ids a client sends that end up in another service's URL (skus, cart ids): 1..64
 * letters, digits and dashes, so no client value can add a path segment or a query to an outbound
 * call. Checked at the edge, where the value arrives.
 */
public final class Ids {
  /** The longest id accepted. */
  public static final int MAX_LENGTH = 64;

  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9-]{1," + MAX_LENGTH + "}");

  private Ids() {}

  /**
   * {@code value} when it is a valid id, else a 400 naming {@code where} and the value.
   *
   * @param where what the value is, as the client knows it ("cart c1: sku")
   */
  public static String check(@Nullable String value, String where) {
    if (value == null || !SHAPE.matcher(value).matches()) {
      throw HttpProblem.badRequest(
          where
              + " must be 1.."
              + MAX_LENGTH
              + " letters, digits or dashes, was "
              + (value == null ? "missing" : "'" + value + "'"));
    }
    return value;
  }
}
