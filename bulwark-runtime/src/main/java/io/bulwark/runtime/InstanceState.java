package io.bulwark.runtime;

/** Where an instance is in its lifecycle. */
public enum InstanceState {
  /** Not started yet, or stopped gracefully. */
  STOPPED,
  /** Its factory ran; waiting for the server to answer {@code /health/ready}. */
  STARTING,
  /** Ready and registered in discovery. */
  READY,
  /** Draining on its way to {@link #STOPPED}. */
  STOPPING,
  /** Killed: sockets closed without drain, work interrupted, state as after a crash. */
  KILLED,
  /** Its start failed; the cause was reported to the listeners. */
  FAILED
}
