package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.util.List;
import java.util.Locale;

/**
 * Response compression on a listener: gzip (and brotli if configured) where the client's {@code
 * Accept-Encoding} accepts it (q-values honoured, {@code q=0} refuses), only for the listed content
 * types, only for bodies of at least {@code min-bytes} (a body of unknown length, streamed chunked,
 * counts as large), never for a response that already has a {@code Content-Encoding}. Off by
 * default: compressing secrets beside attacker-chosen text over TLS leaks them by size (BREACH), so
 * a listener opts in.
 *
 * <p>Brotli ({@code brotli: true}, off by default): offered beside gzip, and chosen whenever the
 * client accepts it ({@code q} above 0), whatever weight it gives gzip: that is how Netty's encoder
 * negotiates, and browsers accept both at equal weight. It is Netty's encoder over brotli4j's
 * native library (shipped for Linux x86-64); where that library does not load, {@code brotli: true}
 * is refused when the config is read, with the loader's reason, rather than silently ignored.
 *
 * <p>YAML keys: {@code enabled}, {@code level} (gzip, 1-9, 6), {@code min-bytes} (1024), {@code
 * types} (content types, without parameters; a trailing {@code /*} matches a whole family), {@code
 * brotli} (false), {@code brotli-quality} (0 fast to 11 small, 4).
 *
 * @param enabled whether responses are compressed at all
 * @param level gzip level, 1 (fast) to 9 (small)
 * @param minBytes bodies shorter than this (by {@code Content-Length}) are sent as they are
 * @param types the compressible content types
 * @param brotli whether brotli is offered beside gzip
 * @param brotliQuality brotli's quality, 0 (fast) to 11 (small)
 */
public record CompressionConfig(
    boolean enabled,
    int level,
    long minBytes,
    List<String> types,
    boolean brotli,
    int brotliQuality) {
  /**
   * Brotli's quality unless the config sets one (Netty's default: fast, still smaller than gzip).
   */
  public static final int DEFAULT_BROTLI_QUALITY = 4;

  /** The types compressed unless the config lists its own. */
  public static final List<String> DEFAULT_TYPES =
      List.of(
          "text/*",
          "application/json",
          "application/problem+json",
          "application/javascript",
          "application/xml",
          "image/svg+xml");

  public static final CompressionConfig OFF = new CompressionConfig(false, 6, 1024, DEFAULT_TYPES);

  public CompressionConfig {
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("level must be 1 to 9, was " + level);
    }
    if (brotliQuality < 0 || brotliQuality > 11) {
      throw new IllegalArgumentException("brotli-quality must be 0 to 11, was " + brotliQuality);
    }
    if (brotli && !io.netty.handler.codec.compression.Brotli.isAvailable()) {
      Throwable why = io.netty.handler.codec.compression.Brotli.cause();
      throw new IllegalArgumentException(
          "brotli: true, but brotli4j's native library did not load on this platform ("
              + System.getProperty("os.name")
              + " "
              + System.getProperty("os.arch")
              + (why == null ? "" : ": " + why)
              + "); use gzip, or run where brotli4j ships a native library");
    }
    if (minBytes < 0) {
      throw new IllegalArgumentException("min-bytes must be ≥ 0, was " + minBytes);
    }
    types = types.stream().map(t -> t.strip().toLowerCase(Locale.ROOT)).toList();
    for (String t : types) {
      int slash = t.indexOf('/');
      if (slash <= 0 || slash == t.length() - 1 || t.indexOf(';') >= 0 || t.indexOf(' ') >= 0) {
        throw new IllegalArgumentException(
            "types: \"" + t + "\" is not a content type like text/html or text/*");
      }
    }
  }

  /** Compression settings with gzip only (brotli off). */
  public CompressionConfig(boolean enabled, int level, long minBytes, List<String> types) {
    this(enabled, level, minBytes, types, false, DEFAULT_BROTLI_QUALITY);
  }

  /** gzip on, with the default level, threshold and types. */
  public static CompressionConfig gzip() {
    return new CompressionConfig(true, 6, 1024, DEFAULT_TYPES);
  }

  /** Whether a body of {@code contentType} (parameters allowed, may be null) is compressible. */
  public boolean compressible(String contentType) {
    int semi = contentType.indexOf(';');
    String t =
        (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    for (String allowed : types) {
      if (allowed.endsWith("/*")
          ? t.startsWith(allowed.substring(0, allowed.length() - 1))
          : t.equals(allowed)) {
        return true;
      }
    }
    return false;
  }

  static CompressionConfig bind(ConfigReader r) {
    boolean[] on = {true};
    int[] level = {6};
    long[] min = {1024};
    boolean[] brotli = {false};
    int[] quality = {DEFAULT_BROTLI_QUALITY};
    java.util.concurrent.atomic.AtomicReference<List<String>> types =
        new java.util.concurrent.atomic.AtomicReference<>(DEFAULT_TYPES);
    r.bool("enabled", v -> on[0] = v)
        .integer("level", v -> level[0] = v)
        .longValue("min-bytes", v -> min[0] = v)
        .strings("types", types::set)
        .bool("brotli", v -> brotli[0] = v)
        .integer("brotli-quality", v -> quality[0] = v);
    return new CompressionConfig(on[0], level[0], min[0], types.get(), brotli[0], quality[0]);
  }
}
