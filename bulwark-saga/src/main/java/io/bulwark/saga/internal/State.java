package io.bulwark.saga.internal;

import io.bulwark.saga.PayloadTooLargeException;
import io.bulwark.saga.RunState;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A run's small state. A change made inside a step's action is written with that step's checkpoint;
 * a change made by the workflow's code between steps is written at once.
 */
final class State implements RunState {
  private final Execution execution;
  private final ReentrantLock lock = new ReentrantLock();
  private final TreeMap<String, String> values;
  private boolean dirty;
  final java.util.concurrent.atomic.AtomicInteger activeActions =
      new java.util.concurrent.atomic.AtomicInteger();

  State(Execution execution, Map<String, String> values) {
    this.execution = execution;
    this.values = new TreeMap<>(values);
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    Objects.requireNonNull(key, "key");
    String json;
    lock.lock();
    try {
      json = values.get(key);
    } finally {
      lock.unlock();
    }
    return Optional.ofNullable(execution.engine.json.decode(json, type));
  }

  @Override
  public void put(String key, @Nullable Object value) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > 128) {
      throw new IllegalArgumentException(
          "run "
              + execution.runId
              + ": state key must be 1 to 128 characters, got "
              + key.length());
    }
    Json json = execution.engine.json;
    String encoded = value == null ? null : json.encode(execution.runId, "state " + key, value);
    lock.lock();
    try {
      String before = encoded == null ? values.remove(key) : values.put(key, encoded);
      try {
        json.checkSize(execution.runId, "state", json.mapJson(values));
      } catch (PayloadTooLargeException e) {
        if (before == null) {
          values.remove(key);
        } else {
          values.put(key, before);
        }
        throw e;
      }
      dirty = true;
    } finally {
      lock.unlock();
    }
    if (!execution.replay && activeActions.get() == 0) {
      execution.write((s, now) -> {});
    }
  }

  @Override
  public Map<String, String> asJson() {
    lock.lock();
    try {
      return Map.copyOf(values);
    } finally {
      lock.unlock();
    }
  }

  /** The state's JSON if it changed since the last write (and marks it written), else null. */
  @Nullable String takeDirty() {
    lock.lock();
    try {
      if (!dirty) {
        return null;
      }
      dirty = false;
      return execution.engine.json.mapJson(values);
    } finally {
      lock.unlock();
    }
  }
}
