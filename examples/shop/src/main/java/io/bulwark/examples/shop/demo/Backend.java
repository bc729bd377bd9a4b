package io.bulwark.examples.shop.demo;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where {@code bulwark demo --backend} runs the shop's events and sagas. {@link #EMBEDDED} (the
 * default) is the embedded event log and SQLite; {@link #KAFKA} starts a local Kafka broker for
 * every topic of the shop; {@link #POSTGRES} starts a local PostgreSQL server for the checkout
 * sagas (with the orders table and the outbox). Kafka and PostgreSQL may be combined.
 */
public enum Backend {
  EMBEDDED,
  KAFKA,
  POSTGRES;

  /** The name on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The names on the command line, comma separated. */
  public static String known() {
    return Stream.of(values()).map(Backend::cliName).collect(Collectors.joining(", "));
  }

  /**
   * Parses a comma-separated list such as {@code kafka,postgres}: each name once, {@code embedded}
   * alone.
   *
   * @throws IllegalArgumentException naming the list, the bad name and the known ones
   */
  public static Set<Backend> parseList(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException(
          "--backend \"" + text + "\": name one or more of " + known());
    }
    Set<Backend> set = EnumSet.noneOf(Backend.class);
    for (String part : text.split(",", -1)) {
      String name = part.trim();
      Backend b =
          Stream.of(values())
              .filter(v -> v.cliName().equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--backend \""
                              + text
                              + "\": unknown backend \""
                              + name
                              + "\" (known: "
                              + known()
                              + ")"));
      if (!set.add(b)) {
        throw new IllegalArgumentException(
            "--backend \"" + text + "\": backend \"" + name + "\" is named twice");
      }
    }
    if (set.contains(EMBEDDED) && set.size() > 1) {
      throw new IllegalArgumentException(
          "--backend \"" + text + "\": embedded cannot be combined with kafka or postgres");
    }
    return check(set);
  }

  /**
   * {@code set} if it is a valid choice: not empty, and {@link #EMBEDDED} only alone.
   *
   * @throws IllegalArgumentException naming the set when it is not
   */
  public static Set<Backend> check(Set<Backend> set) {
    if (set.isEmpty()) {
      throw new IllegalArgumentException("backends must name one or more of " + known());
    }
    if (set.contains(EMBEDDED) && set.size() > 1) {
      throw new IllegalArgumentException(
          "backend embedded cannot be combined with others, was "
              + set.stream().map(Backend::cliName).collect(Collectors.joining(",")));
    }
    return Set.copyOf(set);
  }
}
