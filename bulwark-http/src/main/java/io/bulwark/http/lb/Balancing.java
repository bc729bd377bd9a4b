package io.bulwark.http.lb;

/** The load-balancing algorithms, by config name ({@code peak-ewma}, {@code ring-hash}, ...). */
public enum Balancing {
  ROUND_ROBIN,
  LEAST_REQUEST,
  /** Latency-aware power of two choices; the default. */
  PEAK_EWMA,
  RING_HASH,
  MAGLEV
}
