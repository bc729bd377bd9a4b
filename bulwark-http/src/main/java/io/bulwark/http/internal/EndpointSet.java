package io.bulwark.http.internal;

import io.bulwark.http.lb.EndpointState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One discovery snapshot of a client's endpoints, built once per discovery update so that choosing
 * an endpoint allocates nothing: the endpoints as an immutable list (indexable), their ids, and the
 * sublists of usable endpoints selected by a bit mask over the first 64 endpoints.
 *
 * <p>Design notes. A call's usable endpoints are the snapshot minus the ejected, refused and
 * unhealthy ones; those change rarely, so the sublist for a mask is kept (the last one asked for,
 * one volatile read) and a call whose mask matches gets it without allocating. All endpoints usable
 * is the whole list itself. Sublists are immutable and only depend on the mask, so a stale or
 * racing cache entry is still a correct answer. A service with more than 64 endpoints allocates its
 * usable list per call ({@link #wide()}).
 */
final class EndpointSet {
  static final EndpointSet EMPTY = new EndpointSet(List.of());

  private record Subset(long mask, List<EndpointState> list) {}

  private final List<EndpointState> all;
  private final Set<String> ids;
  private final long full;
  private volatile @Nullable Subset last;

  EndpointSet(List<EndpointState> endpoints) {
    this.all = List.copyOf(endpoints);
    List<String> names = new ArrayList<>(all.size());
    for (EndpointState s : all) {
      names.add(s.id());
    }
    this.ids = Set.copyOf(names);
    this.full = all.size() >= 64 ? -1L : (1L << all.size()) - 1;
  }

  /** Every endpoint of the snapshot, in discovery order (immutable). */
  List<EndpointState> all() {
    return all;
  }

  /** The ids of every endpoint (immutable). */
  Set<String> ids() {
    return ids;
  }

  int size() {
    return all.size();
  }

  /** More endpoints than a mask covers: usable lists are built per call. */
  boolean wide() {
    return all.size() > 64;
  }

  /** The endpoints whose bit is set in {@code mask}, in order (immutable; 0 is the empty list). */
  List<EndpointState> subset(long mask) {
    if (mask == full) {
      return all;
    }
    if (mask == 0) {
      return List.of();
    }
    Subset s = last;
    if (s != null && s.mask == mask) {
      return s.list;
    }
    List<EndpointState> list = new ArrayList<>(Long.bitCount(mask));
    for (long m = mask; m != 0; m &= m - 1) {
      list.add(all.get(Long.numberOfTrailingZeros(m)));
    }
    List<EndpointState> copy = List.copyOf(list);
    last = new Subset(mask, copy);
    return copy;
  }
}
