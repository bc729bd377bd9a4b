package io.bulwark.examples.shop.common;

import org.jspecify.annotations.Nullable;

/** Closing what a factory opened before it failed. */
public final class Closeables {
  private Closeables() {}

  /** Closes each non-null resource, last first, adding any failure to {@code cause}. */
  public static void closeAfter(Throwable cause, @Nullable AutoCloseable... resources) {
    for (int i = resources.length - 1; i >= 0; i--) {
      AutoCloseable r = resources[i];
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        cause.addSuppressed(e);
      }
    }
  }
}
