package io.bulwark.core.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The identity of a workload (a service, not a user): a SPIFFE ID such as {@code
 * spiffe://shop/orders}, carried as the one URI subject alternative name of the workload's X.509
 * certificate and proved by mutual TLS.
 *
 * <p>{@link #parse} accepts exactly the SPIFFE ID grammar: scheme {@code spiffe}, a trust domain of
 * lowercase letters, digits, {@code .}, {@code -} and {@code _}, then a path of one or more
 * non-empty segments of letters, digits, {@code .}, {@code -} and {@code _} (no {@code .} or {@code
 * ..} segment), no port, user, query or fragment, at most 2,048 bytes. Anything else is refused
 * with the bad value named, so two spellings of one identity cannot exist.
 *
 * @param trustDomain the authority that issued the identity, e.g. {@code shop}
 * @param path the workload within it, starting with {@code /}, e.g. {@code /orders}
 */
public record WorkloadIdentity(String trustDomain, String path) {
  private static final String SCHEME = "spiffe://";
  private static final int MAX_LENGTH = 2048;

  /** Validates both parts (see {@link #parse}). */
  public WorkloadIdentity {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(path, "path");
    checkTrustDomain(trustDomain, SCHEME + trustDomain + path);
    checkPath(path, SCHEME + trustDomain + path);
    if (SCHEME.length() + trustDomain.length() + path.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "workload identity longer than " + MAX_LENGTH + " characters");
    }
  }

  /** The identity of workload {@code name} (one path segment) in {@code trustDomain}. */
  public static WorkloadIdentity of(String trustDomain, String name) {
    return new WorkloadIdentity(trustDomain, "/" + name);
  }

  /**
   * Parses a SPIFFE ID ({@code spiffe://trust-domain/path}).
   *
   * @throws IllegalArgumentException naming {@code text} and what is wrong with it
   */
  public static WorkloadIdentity parse(String text) {
    Objects.requireNonNull(text, "text");
    if (!text.startsWith(SCHEME)) {
      throw new IllegalArgumentException(
          "workload identity '" + text + "' must start with " + SCHEME);
    }
    int slash = text.indexOf('/', SCHEME.length());
    if (slash < 0) {
      throw new IllegalArgumentException(
          "workload identity '" + text + "' has no path (spiffe://trust-domain/workload)");
    }
    return new WorkloadIdentity(text.substring(SCHEME.length(), slash), text.substring(slash));
  }

  /**
   * The identity a certificate carries: its one URI subject alternative name, if that is a valid
   * SPIFFE ID. Null for a certificate with no URI name, with more than one, or with one that is not
   * a SPIFFE ID: such a certificate names no workload.
   */
  public static @Nullable WorkloadIdentity of(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return null;
    }
    if (names == null) {
      return null;
    }
    String uri = null;
    for (List<?> name : names) {
      if (name.size() >= 2
          && Integer.valueOf(6).equals(name.get(0))) { // 6: uniformResourceIdentifier
        if (uri != null) {
          return null; // an X.509 SVID carries exactly one URI name
        }
        uri = String.valueOf(name.get(1));
      }
    }
    if (uri == null) {
      return null;
    }
    try {
      return parse(uri);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The SPIFFE ID, {@code spiffe://trust-domain/path}. */
  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }

  private static void checkTrustDomain(String domain, String whole) {
    if (domain.isEmpty()) {
      throw new IllegalArgumentException("workload identity '" + whole + "' has no trust domain");
    }
    for (int i = 0; i < domain.length(); i++) {
      char c = domain.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
        throw new IllegalArgumentException(
            "workload identity '"
                + whole
                + "': trust domain '"
                + domain
                + "' may hold only lowercase letters, digits, '.', '-' and '_' (found '"
                + c
                + "')");
      }
    }
  }

  private static void checkPath(String path, String whole) {
    if (path.length() < 2 || path.charAt(0) != '/') {
      throw new IllegalArgumentException(
          "workload identity '" + whole + "' needs a path such as /orders");
    }
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String segment = path.substring(start, end);
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "workload identity '" + whole + "' has an empty, '.' or '..' path segment");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (!((c >= 'a' && c <= 'z')
            || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9')
            || c == '.'
            || c == '-'
            || c == '_')) {
          throw new IllegalArgumentException(
              "workload identity '"
                  + whole
                  + "': path may hold only letters, digits, '.', '-' and '_' (found '"
                  + c
                  + "')");
        }
      }
      start = end + 1;
    }
  }
}
