package io.bulwark.data.partition;

/**
 * What a partitioning algorithm promises, as data: a planner, a router or a doc page can read it
 * instead of assuming. The strings state bounds in terms of N (nodes), V (virtual nodes per unit
 * weight), M (Maglev table size) and K (keys); the property tests check each bound.
 *
 * @param algorithm short name: {@code ring}, {@code jump}, {@code rendezvous}, {@code maglev}
 * @param weighted whether node weights are honoured (if not, a weight other than 1 is rejected)
 * @param arbitraryRemoval whether any node can leave with only its own keys moving
 * @param orderIndependent whether the owners depend only on the set of nodes, not on the order they
 *     were listed or joined in
 * @param balance the expected spread of load, e.g. max/mean
 * @param movement which keys move when a node joins or leaves
 * @param lookupCost the cost of {@link Partitioner#owner(long)}
 */
public record Guarantees(
    String algorithm,
    boolean weighted,
    boolean arbitraryRemoval,
    boolean orderIndependent,
    String balance,
    String movement,
    String lookupCost) {}
