package io.bulwark.examples.shop;

import java.util.List;
import java.util.Map;

/**
 * The invariants of one run, judged from the services' own stores, and the figures read there.
 *
 * @param invariants each invariant and its verdict
 * @param figures counts read from the stores (orders accepted/confirmed/cancelled, charges,
 *     refunds, shipments, units reserved/shipped/released), in a stable order
 */
public record InvariantReport(List<Invariant> invariants, Map<String, Long> figures) {
  public boolean holds() {
    return invariants.stream().allMatch(Invariant::holds);
  }
}
