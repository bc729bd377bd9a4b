package io.bulwark.examples.shop.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the shop's files shipped as resources ({@code shop/...}). */
public final class Resources {
  private Resources() {}

  public static String text(String name) {
    try (InputStream in = Resources.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the shop's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + name, e);
    }
  }
}
