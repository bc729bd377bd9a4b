package io.bulwark.gateway.internal;

import org.jspecify.annotations.Nullable;

/** What the route matcher reads of a request besides host and path. */
public interface RequestView {
  /** The method, upper case. */
  String method();

  /** The first value of header {@code lowerName}, or null. */
  @Nullable String header(String lowerName);

  /** The first value of query parameter {@code name} (decoded), or null. */
  @Nullable String query(String name);
}
