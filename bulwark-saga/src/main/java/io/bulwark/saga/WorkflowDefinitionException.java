package io.bulwark.saga;

/**
 * A workflow's code or registration is wrong: a step name used twice in one run, a definition
 * registered twice, a start with a definition the engine does not have.
 */
public final class WorkflowDefinitionException extends SagaException {
  private static final long serialVersionUID = 1L;

  public WorkflowDefinitionException(String message) {
    super(message, null);
  }

  @Override
  public boolean isRetriable() {
    return false;
  }
}
