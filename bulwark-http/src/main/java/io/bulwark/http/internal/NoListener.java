package io.bulwark.http.internal;

import io.bulwark.http.ServerListener;

/** The listener that does nothing; the server skips building log entries for it. */
public final class NoListener implements ServerListener {
  public static final NoListener INSTANCE = new NoListener();

  private NoListener() {}
}
