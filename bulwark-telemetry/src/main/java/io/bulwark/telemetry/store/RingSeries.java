package io.bulwark.telemetry.store;

import java.util.Arrays;

/**
 * A ring buffer of (step, value) pairs for one series, steps strictly increasing. Holds at most
 * {@code capacity} steps; the arrays grow on demand up to that, then the oldest step is dropped.
 * Guarded by its own monitor (in-memory work only, a few array writes).
 */
final class RingSeries {
  private final int capacity;
  private long[] steps = new long[16];
  private double[] values = new double[16];
  private int head; // index of the oldest entry
  private int size;

  RingSeries(int capacity) {
    this.capacity = capacity;
  }

  synchronized void put(long step, double value) {
    if (size > 0) {
      int last = index(size - 1);
      if (steps[last] == step) {
        values[last] = value;
        return;
      }
      if (steps[last] > step) {
        throw new IllegalStateException("step " + step + " is before " + steps[last]);
      }
    }
    if (size == steps.length && size < capacity) {
      grow();
    }
    if (size == capacity) {
      head = (head + 1) % steps.length;
      size--;
    }
    int slot = index(size);
    steps[slot] = step;
    values[slot] = value;
    size++;
  }

  private void grow() {
    int n = Math.min(capacity, steps.length * 2);
    long[] s = new long[n];
    double[] v = new double[n];
    for (int i = 0; i < size; i++) {
      s[i] = steps[index(i)];
      v[i] = values[index(i)];
    }
    steps = s;
    values = v;
    head = 0;
  }

  private int index(int logical) {
    return (head + logical) % steps.length;
  }

  /** The value of the latest step at or before {@code step}, or NaN if there is none. */
  synchronized double valueAtOrBefore(long step) {
    int lo = 0;
    int hi = size - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (steps[index(mid)] <= step) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? Double.NaN : values[index(found)];
  }

  /** Steps and values with {@code from <= step <= to}, as {@code [steps..., values...]}. */
  synchronized long[] stepsBetween(long from, long to, double[][] valuesOut) {
    long[] s = new long[size];
    double[] v = new double[size];
    int n = 0;
    for (int i = 0; i < size; i++) {
      int k = index(i);
      if (steps[k] >= from && steps[k] <= to) {
        s[n] = steps[k];
        v[n] = values[k];
        n++;
      }
    }
    valuesOut[0] = Arrays.copyOf(v, n);
    return Arrays.copyOf(s, n);
  }

  /** The oldest step held, or Long.MAX_VALUE if empty. */
  synchronized long firstStep() {
    return size == 0 ? Long.MAX_VALUE : steps[head];
  }
}
