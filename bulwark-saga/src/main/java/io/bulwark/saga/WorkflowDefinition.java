package io.bulwark.saga;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A workflow type: its name, its version, its input and output types, its code and its run options.
 * Register it with {@link SagaEngine.Builder#register} on every executor that may run or adopt its
 * runs. Each run records the version it started with; an executor started without the definition
 * (name and version) that a pending run needs reports it ({@link SagaEngine#missingDefinitions()}).
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class WorkflowDefinition<I, O> {
  private final String name;
  private final int version;
  private final Class<I> inputType;
  private final Class<O> outputType;
  private final Workflow<I, O> body;
  private final @Nullable Duration runTimeout;
  private final String queue;

  private WorkflowDefinition(Builder<I, O> b) {
    this.name = b.name;
    this.version = b.version;
    this.inputType = b.inputType;
    this.outputType = b.outputType;
    this.body = b.body;
    this.runTimeout = b.runTimeout;
    this.queue = b.queue;
  }

  /**
   * Starts a definition named {@code name} (1 to 128 characters, letters, digits, {@code . _ -}).
   */
  public static <I, O> Builder<I, O> builder(
      String name, Class<I> inputType, Class<O> outputType, Workflow<I, O> body) {
    return new Builder<>(name, inputType, outputType, body);
  }

  public String name() {
    return name;
  }

  /** The version (1 or more); a run resumes only on the version it started with. */
  public int version() {
    return version;
  }

  public Class<I> inputType() {
    return inputType;
  }

  public Class<O> outputType() {
    return outputType;
  }

  public Workflow<I, O> body() {
    return body;
  }

  /** The time a run may take from its start until it completes, or null for no limit. */
  public @Nullable Duration runTimeout() {
    return runTimeout;
  }

  /** The queue runs start on unless {@link StartOptions} names another. */
  public String queue() {
    return queue;
  }

  /** {@code name@version}, the form errors and {@link SagaEngine#missingDefinitions()} use. */
  public String key() {
    return name + "@" + version;
  }

  @Override
  public String toString() {
    return "WorkflowDefinition[" + key() + "]";
  }

  /** Builds a {@link WorkflowDefinition}. */
  public static final class Builder<I, O> {
    private final String name;
    private final Class<I> inputType;
    private final Class<O> outputType;
    private final Workflow<I, O> body;
    private int version = 1;
    private @Nullable Duration runTimeout;
    private String queue = QueueConfig.DEFAULT_QUEUE;

    private Builder(String name, Class<I> inputType, Class<O> outputType, Workflow<I, O> body) {
      this.name = Names.check("workflow name", name);
      this.inputType = Objects.requireNonNull(inputType, "inputType");
      this.outputType = Objects.requireNonNull(outputType, "outputType");
      this.body = Objects.requireNonNull(body, "body");
    }

    public Builder<I, O> version(int version) {
      if (version < 1) {
        throw new IllegalArgumentException(
            "workflow " + name + ": version must be 1 or more, got " + version);
      }
      this.version = version;
      return this;
    }

    public Builder<I, O> runTimeout(Duration timeout) {
      Checks.positive("workflow " + name + " runTimeout", timeout);
      this.runTimeout = timeout;
      return this;
    }

    public Builder<I, O> queue(String queue) {
      this.queue = Names.check("workflow " + name + " queue", queue);
      return this;
    }

    public WorkflowDefinition<I, O> build() {
      return new WorkflowDefinition<>(this);
    }
  }
}
