package io.bulwark.chaos;

/**
 * Cuts the network between two named services, in both directions: implemented by the runtime that
 * routes their traffic (bulwark-runtime), used by experiments. Thread-safe; partitions last until
 * {@link #heal} (an experiment's rollback heals what it cut).
 */
public interface NetworkPartitioner {

  /** How a partitioned call fails. */
  enum Mode {
    /** At once, as a refused connection. */
    FAIL,
    /** Never answered: hangs until the caller's deadline, as a dropped packet. */
    HANG
  }

  /**
   * Partitions {@code a} from {@code b}.
   *
   * @throws IllegalArgumentException naming the service when it is unknown
   */
  void partition(String a, String b, Mode mode);

  /** Heals the partition between {@code a} and {@code b}; does nothing if there is none. */
  void heal(String a, String b);

  /** Heals every partition. */
  void healAll();
}
