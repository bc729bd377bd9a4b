package io.bulwark.core.fault;

import io.bulwark.core.error.RetriableException;

/**
 * The failure of a call that a chaos fault failed on purpose (the default error of an error fault,
 * the end of a blackhole without a deadline). Retriable: the fault is transient by design.
 */
public class FaultInjectedException extends RetriableException {
  private static final long serialVersionUID = 1L;
  private final transient FaultTag tag;

  public FaultInjectedException(String message, FaultTag tag) {
    super(message);
    this.tag = tag;
  }

  /** The fault that caused this failure. */
  public FaultTag tag() {
    return tag;
  }
}
