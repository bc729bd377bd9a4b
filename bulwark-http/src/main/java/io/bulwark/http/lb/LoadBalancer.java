package io.bulwark.http.lb;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the endpoint for one request among the candidates that are currently usable (healthy, not
 * ejected, after zone preference). Implementations are thread-safe and allocation-light: this runs
 * on every call.
 */
public interface LoadBalancer {

  /**
   * The endpoint to use, or null if {@code candidates} is empty.
   *
   * @param key the request's hash key for consistent hashing (others ignore it); null picks any
   */
  @Nullable EndpointState pick(List<EndpointState> candidates, @Nullable String key);
}
