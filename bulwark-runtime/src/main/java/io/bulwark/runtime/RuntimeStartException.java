package io.bulwark.runtime;

/** A system or an instance could not start; the message names the instance and the cause. */
public final class RuntimeStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RuntimeStartException(String message, Throwable cause) {
    super(message, cause);
  }

  public RuntimeStartException(String message) {
    super(message);
  }
}
