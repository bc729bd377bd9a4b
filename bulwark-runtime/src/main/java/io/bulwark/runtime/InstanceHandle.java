package io.bulwark.runtime;

import java.nio.file.Path;

/**
 * One instance of a running system, for operators and game days. Operations are synchronous and
 * serialized per instance; each is reported to the {@link RuntimeListener}s.
 */
public interface InstanceHandle {

  /** {@code <service>-<index>}. */
  String id();

  String service();

  int index();

  /** The version it runs (or last ran). */
  String version();

  InstanceState state();

  /** The bound port while {@link InstanceState#READY}, else -1. */
  int port();

  Path storage();

  /** Graceful stop: deregister, drain, stop background loops, close. No-op unless running. */
  void stop();

  /**
   * Crash: the server's sockets close without drain, its handler threads and background loops are
   * interrupted, its resources are released without flushing. Its discovery lease is <b>not</b>
   * withdrawn: callers find it dead until the lease expires, as after a real crash.
   */
  void kill();

  /** Starts a stopped, killed or failed instance again with the same version and storage. */
  void restart();

  /**
   * Deploys {@code version}: stops the instance gracefully (if running) and starts it again with
   * that version and the same storage.
   */
  void deploy(String version);
}
