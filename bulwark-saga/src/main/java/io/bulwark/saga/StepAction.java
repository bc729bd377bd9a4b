package io.bulwark.saga;

/** A step's action; its result is checkpointed as JSON. */
@FunctionalInterface
public interface StepAction<T> {
  T run(StepContext step) throws Exception;
}
