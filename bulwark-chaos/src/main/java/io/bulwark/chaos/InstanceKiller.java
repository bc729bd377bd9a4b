package io.bulwark.chaos;

/**
 * Kills a running instance of a service, as a game day's "killed instance": implemented by the
 * runtime that owns the instances (bulwark-runtime), used by experiments. Thread-safe.
 */
public interface InstanceKiller {

  /**
   * Kills {@code instance} of {@code service} abruptly (no drain: connections reset, in-flight work
   * lost), as a crash would.
   *
   * @throws IllegalArgumentException naming the service or instance when it is unknown
   */
  void kill(String service, String instance);
}
