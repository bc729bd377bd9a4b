package io.bulwark.chaos.experiment;

import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An action run when a run ends (held, failed or aborted), after every fault the run activated has
 * been cleared: an HTTP call ({@code method url}, from YAML or the DSL) or Java code (DSL only). A
 * rollback that fails is recorded in the result and the others still run.
 *
 * @param name the rollback's name
 * @param method the HTTP method (GET, POST, PUT, DELETE) or null for a Java action
 * @param url the URL to call, or null for a Java action
 * @param action the Java action, or null for an HTTP call
 */
public record Rollback(
    String name, @Nullable String method, @Nullable URI url, @Nullable Runnable action) {
  public Rollback {
    StepFault.checkName("rollback name", name);
    if ((url == null) == (action == null)) {
      throw new IllegalArgumentException(
          "rollback " + name + " needs exactly one of an HTTP call and a Java action");
    }
    if (url != null) {
      String m = Objects.requireNonNullElse(method, "POST");
      if (!m.matches("GET|POST|PUT|DELETE")) {
        throw new IllegalArgumentException(
            "rollback " + name + ": method must be GET, POST, PUT or DELETE, was \"" + m + "\"");
      }
      method = m;
      String scheme = url.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
        throw new IllegalArgumentException(
            "rollback " + name + ": url must be an absolute http(s) URL, was " + url);
      }
    }
  }

  /** An HTTP rollback. */
  public static Rollback http(String name, String method, URI url) {
    return new Rollback(name, method, url, null);
  }

  /** A Java rollback. */
  public static Rollback run(String name, Runnable action) {
    return new Rollback(name, null, null, action);
  }
}
