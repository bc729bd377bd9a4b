package io.bulwark.runtime.autoscale;

/** The memory of a policy that keeps none: everything it needs is in the {@link History}. */
public enum NoMemory {
  NONE
}
