package io.bulwark.examples.shop.bff;

/**
 * Why one part of a page has no value: the part's name, the HTTP status the page answers if the
 * part was mandatory (404 unknown, 403 another customer's, 504 deadline passed, 502 any other
 * failure) and a reason naming the call.
 */
final class PartFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String part;
  private final int status;

  PartFailure(String part, int status, String reason) {
    super(part + ": " + reason, null, false, false);
    this.part = part;
    this.status = status;
  }

  String part() {
    return part;
  }

  int status() {
    return status;
  }
}
