package io.bulwark.http.internal;

import io.bulwark.http.lb.EndpointState;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One call's attempts (the first and its retries or hedges): how many went out and to which
 * endpoints, so that a retry goes to an endpoint the call has not tried yet while one is usable.
 * Attempts of a hedged call run at once, hence the lock (held for a few field reads only).
 */
final class CallAttempts {
  private int count;
  private @Nullable String first;
  private @Nullable List<String> more;

  /** The chaos fault that acted on an attempt of this call, if any (its cohort labels the call). */
  volatile io.bulwark.core.fault.@Nullable FaultTag faulted;

  synchronized int next() {
    return count++;
  }

  synchronized void tried(String endpointId) {
    if (first == null) {
      first = endpointId;
    } else {
      if (more == null) {
        more = new ArrayList<>(2);
      }
      more.add(endpointId);
    }
  }

  /** {@code candidates} without the endpoints already tried, or all of them if none is left. */
  synchronized List<EndpointState> untried(List<EndpointState> candidates) {
    if (first == null) {
      return candidates;
    }
    List<EndpointState> fresh = new ArrayList<>(candidates.size());
    for (EndpointState c : candidates) {
      String id = c.id();
      if (!id.equals(first) && (more == null || !more.contains(id))) {
        fresh.add(c);
      }
    }
    return fresh.isEmpty() ? candidates : fresh;
  }
}
