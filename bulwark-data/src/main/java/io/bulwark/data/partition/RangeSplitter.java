package io.bulwark.data.partition;

import java.util.Optional;

/**
 * The data owner's knowledge of where to cut a range: for an oversized or overloaded shard, a key
 * strictly inside it and the bytes and load that fall below that key (e.g. the median key from the
 * storage engine's statistics). Empty when the shard cannot be cut (a single hot key).
 */
@FunctionalInterface
public interface RangeSplitter {

  /** Where to cut {@code shard}, or empty. */
  Optional<Cut> cut(RangeShard shard);

  /** A cut at {@code key}: {@code [start, key)} holds {@code leftBytes} and {@code leftLoad}. */
  record Cut(String key, long leftBytes, double leftLoad) {}
}
