package io.bulwark.http.lb;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@link ZonePreference#localZone}: prefer the endpoints of one zone while enough of that zone's
 * endpoints are usable.
 *
 * <p>Design notes. A client asks with the same lists call after call (its discovery snapshot and
 * the usable part of it), so the last answer is kept with the elements it was computed from; a call
 * whose lists hold the same elements (compared one by one, by identity: no allocation) gets the
 * kept answer, anything else computes afresh. The kept entry is immutable and published through one
 * volatile field, so racing callers at worst compute the same answer twice. The answer is an
 * immutable list (the {@code usable} argument itself when it spills over).
 */
final class LocalZone implements ZonePreference {
  /** An answer and the elements of the lists it was computed from (immutable). */
  private static final class Choice {
    final EndpointState[] usable;
    final EndpointState[] all;
    final List<EndpointState> result;

    Choice(EndpointState[] usable, EndpointState[] all, List<EndpointState> result) {
      this.usable = usable;
      this.all = all;
      this.result = result;
    }
  }

  private final String zone;
  private final double minHealthyShare;
  private volatile @Nullable Choice last;

  LocalZone(String zone, double minHealthyShare) {
    this.zone = zone;
    this.minHealthyShare = minHealthyShare;
  }

  @Override
  public List<EndpointState> select(List<EndpointState> usable, List<EndpointState> all) {
    Choice c = last;
    if (c != null && same(c.usable, usable) && same(c.all, all)) {
      return c.result;
    }
    List<EndpointState> result = compute(usable, all);
    last =
        new Choice(usable.toArray(EndpointState[]::new), all.toArray(EndpointState[]::new), result);
    return result;
  }

  private List<EndpointState> compute(List<EndpointState> usable, List<EndpointState> all) {
    int total = 0;
    for (EndpointState e : all) {
      if (zone.equals(e.endpoint().zone())) {
        total++;
      }
    }
    List<EndpointState> local = new ArrayList<>();
    for (EndpointState e : usable) {
      if (zone.equals(e.endpoint().zone())) {
        local.add(e);
      }
    }
    if (total > 0 && !local.isEmpty() && local.size() >= minHealthyShare * total) {
      return List.copyOf(local);
    }
    return usable;
  }

  private static boolean same(EndpointState[] seen, List<EndpointState> list) {
    if (seen.length != list.size()) {
      return false;
    }
    for (int i = 0; i < seen.length; i++) {
      if (seen[i] != list.get(i)) {
        return false;
      }
    }
    return true;
  }
}
