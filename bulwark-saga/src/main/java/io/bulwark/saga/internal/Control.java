package io.bulwark.saga.internal;

/**
 * The engine's control flow through a workflow's code. The unwinding signals extend {@link Error}
 * so that a workflow's {@code catch (Exception e)} does not swallow them; they carry no stack
 * trace.
 */
final class Control {
  private Control() {}

  /** Unwinds the code: the run waits until {@code wakeAt} (wall millis; MAX_VALUE: a notice). */
  static final class Suspend extends Error {
    private static final long serialVersionUID = 1L;
    final long wakeAt;

    Suspend(long wakeAt) {
      super("suspend", null, false, false);
      this.wakeAt = wakeAt;
    }
  }

  /** Unwinds the code: the run is parked with {@code cause}. */
  static final class Park extends Error {
    private static final long serialVersionUID = 1L;
    final String cause;

    Park(String cause) {
      super(cause, null, false, false);
      this.cause = cause;
    }
  }

  /** This executor no longer holds the run (its fence moved): drop it, write nothing. */
  static final class Fenced extends Error {
    private static final long serialVersionUID = 1L;

    Fenced() {
      super("fenced", null, false, false);
    }
  }

  /** The engine is closing: give the run up at this checkpoint. */
  static final class Release extends Error {
    private static final long serialVersionUID = 1L;

    Release() {
      super("release", null, false, false);
    }
  }

  /** Replay for compensation reached a step that has not completed. */
  static final class StopReplay extends Error {
    private static final long serialVersionUID = 1L;

    StopReplay() {
      super("stop replay", null, false, false);
    }
  }

  /** The run was cancelled: it fails for good and compensates. */
  static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Cancelled(String message) {
      super(message, null, false, false);
    }

    @Override
    public String getMessage() {
      return String.valueOf(super.getMessage());
    }
  }

  /** The run's timeout passed: it fails for good and compensates. */
  static final class RunTimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunTimedOut(String message) {
      super(message, null, false, false);
    }

    @Override
    public String getMessage() {
      return String.valueOf(super.getMessage());
    }
  }

  /** A step attempt took longer than its timeout (retriable). */
  static final class StepTimeout extends java.util.concurrent.TimeoutException {
    private static final long serialVersionUID = 1L;

    StepTimeout(String message) {
      super(message);
    }
  }
}
