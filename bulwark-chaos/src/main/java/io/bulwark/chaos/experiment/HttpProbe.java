package io.bulwark.chaos.experiment;

import java.net.URI;
import java.time.Duration;

/**
 * A steady-state probe: {@code GET url} every {@code every}; a call that answers {@code
 * expectStatus} within {@code timeout} is a success, anything else (another status, an I/O error, a
 * timeout) an error. Results are recorded as the RED metrics of dependency {@code name}, so an SLO
 * on {@code Sli.dependencyAvailability(name)} or {@code dependency latency} judges them.
 *
 * @param name the probe's name (the dependency name its results are recorded under)
 * @param url an http or https URL
 * @param expectStatus the status that counts as success
 * @param every the probe interval
 * @param timeout how long one call may take
 */
public record HttpProbe(String name, URI url, int expectStatus, Duration every, Duration timeout) {
  public HttpProbe {
    StepFault.checkName("probe name", name);
    String scheme = url.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "probe " + name + ": url must be an absolute http(s) URL with a host, was " + url);
    }
    if (expectStatus < 100 || expectStatus > 599) {
      throw new IllegalArgumentException(
          "probe " + name + ": expect-status must be 100..599, was " + expectStatus);
    }
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException(
          "probe " + name + ": every must be positive, was " + every);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "probe " + name + ": timeout must be positive, was " + timeout);
    }
  }
}
