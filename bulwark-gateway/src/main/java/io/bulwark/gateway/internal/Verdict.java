package io.bulwark.gateway.internal;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link Admission} stage decided.
 *
 * @param allowed whether the request goes on
 * @param status the answer's status when denied
 * @param type the problem type suffix when denied ({@code urn:bulwark:gateway:<type>})
 * @param detail the problem detail when denied: what the client may read, so no secrets
 * @param responseHeaders headers on the denial (e.g. {@code www-authenticate}, {@code retry-after})
 * @param setHeaders headers set (replaced) on the request sent upstream when allowed
 * @param removeHeaders headers removed from the request sent upstream when allowed (before set)
 * @param completion called once when the exchange ends, if the request was allowed (e.g. to release
 *     a concurrency permit); null if nothing is held
 */
public record Verdict(
    boolean allowed,
    int status,
    String type,
    String detail,
    Map<String, String> responseHeaders,
    Map<String, String> setHeaders,
    List<String> removeHeaders,
    @Nullable Completion completion) {

  /** Allows the request unchanged. */
  public static final Verdict ALLOW =
      new Verdict(true, 0, "", "", Map.of(), Map.of(), List.of(), null);

  public Verdict {
    responseHeaders = Map.copyOf(responseHeaders);
    setHeaders = Map.copyOf(setHeaders);
    removeHeaders = List.copyOf(removeHeaders);
    if (!allowed && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("a denial needs a 4xx or 5xx status, was " + status);
    }
  }

  /** Allows the request and sends it upstream without {@code remove} and with {@code set}. */
  public static Verdict modify(Map<String, String> set, List<String> remove) {
    return new Verdict(true, 0, "", "", Map.of(), set, remove, null);
  }

  /** Allows the request; {@code completion} runs when the exchange ends. */
  public static Verdict allow(Completion completion) {
    return new Verdict(true, 0, "", "", Map.of(), Map.of(), List.of(), completion);
  }

  /** Denies the request with {@code status} and a problem body. */
  public static Verdict deny(
      int status, String type, String detail, Map<String, String> responseHeaders) {
    return new Verdict(false, status, type, detail, responseHeaders, Map.of(), List.of(), null);
  }

  /** Told how an allowed exchange ended. */
  @FunctionalInterface
  public interface Completion {
    /**
     * Called once when the exchange ends.
     *
     * @param status the status answered (0 if the exchange was aborted)
     * @param nanos how long the exchange took from its arrival
     */
    void done(int status, long nanos);
  }
}
