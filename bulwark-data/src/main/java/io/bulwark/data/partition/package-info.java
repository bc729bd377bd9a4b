/**
 * Data partitioning: one {@link io.bulwark.data.partition.Partitioner} SPI (key → owner, top-k
 * owners for replicas) with its guarantees as data, over a frozen 64-bit key hash; the ring with
 * virtual nodes, jump hash behind a tombstone table (arbitrary removal), weighted rendezvous and
 * Maglev; the {@link io.bulwark.data.partition.BoundedLoad} overlay; range sharding ({@link
 * io.bulwark.data.partition.RangeIndex}); and rebalancing: {@link
 * io.bulwark.data.partition.RebalancePlanner} turns a membership change into a move plan measured
 * against the ideal, {@link io.bulwark.data.partition.Rebalancer} runs it throttled through the
 * data owner's {@link io.bulwark.data.partition.MoveExecutor}. See docs/data.md.
 */
@NullMarked
package io.bulwark.data.partition;

import org.jspecify.annotations.NullMarked;
