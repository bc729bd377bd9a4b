package io.bulwark.http.lb;

import java.util.List;
import java.util.Objects;

/**
 * Narrows the usable endpoints to a preferred zone when that zone is healthy enough; otherwise
 * spills over to all zones. A hook: implement it for other policies (weighted zones, cost-aware
 * routing). Implementations are thread-safe and must not block.
 */
@FunctionalInterface
public interface ZonePreference {

  /**
   * Chooses the endpoints to balance over.
   *
   * @param usable the endpoints that may take traffic now
   * @param all every known endpoint of the service (usable or not)
   * @return the endpoints to balance over; never empty if {@code usable} is not
   */
  List<EndpointState> select(List<EndpointState> usable, List<EndpointState> all);

  /** No preference: balance over every usable endpoint. */
  static ZonePreference none() {
    return (usable, all) -> usable;
  }

  /**
   * Prefer endpoints in {@code zone} while at least {@code minHealthyShare} of that zone's
   * endpoints are usable; below that, use all zones. Allocates nothing when asked again with lists
   * of the same elements as the call before.
   */
  static ZonePreference localZone(String zone, double minHealthyShare) {
    Objects.requireNonNull(zone, "zone");
    if (!(minHealthyShare > 0 && minHealthyShare <= 1)) {
      throw new IllegalArgumentException(
          "minHealthyShare must be in (0, 1], was " + minHealthyShare);
    }
    return new LocalZone(zone, minHealthyShare);
  }
}
