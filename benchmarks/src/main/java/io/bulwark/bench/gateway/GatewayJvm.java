package io.bulwark.bench.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options of the gateway child: those the {@code bulwark} launcher gives every role, then
 * those of the {@code gateway} role, read from the same file the launcher reads ({@code
 * bulwark-gateway/src/main/resources/io/bulwark/gateway/gateway.jvm-options}, on the class path
 * inside the gateway's jar).
 */
final class GatewayJvm {
  static final String ROLE_OPTIONS = "/io/bulwark/gateway/gateway.jvm-options";

  private GatewayJvm() {}

  /** The launcher's options for every role (see the {@code bulwark} script). */
  static List<String> launcherOptions() {
    // Netty uses sun.misc.Unsafe for its buffers on Java 25 only with the second
    return List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
  }

  /**
   * The gateway role's options, in file order, less its collector if {@code extra} names one (as
   * the launcher does when {@code BULWARK_JAVA_OPTS} names one: the JVM refuses two collectors).
   */
  static List<String> roleOptions(List<String> extra) {
    boolean ownCollector = extra.stream().anyMatch(GatewayJvm::isCollector);
    List<String> options = new ArrayList<>(roleOptions());
    if (ownCollector) {
      options.removeIf(GatewayJvm::isCollector);
    }
    return options;
  }

  static boolean isCollector(String option) {
    return option.startsWith("-XX:+Use") && option.endsWith("GC");
  }

  /** The gateway role's options, in file order. */
  static List<String> roleOptions() {
    try (InputStream in = GatewayJvm.class.getResourceAsStream(ROLE_OPTIONS)) {
      if (in == null) {
        throw new IllegalStateException(
            ROLE_OPTIONS + " is not on the class path (it ships in bulwark-gateway's jar)");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + ROLE_OPTIONS, e);
    }
  }

  /** One option per line; blank lines and lines starting with {@code #} are skipped. */
  static List<String> parse(String text) {
    List<String> options = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new java.io.StringReader(text))) {
      String line;
      while ((line = r.readLine()) != null) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          options.add(t);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
    return options;
  }
}
