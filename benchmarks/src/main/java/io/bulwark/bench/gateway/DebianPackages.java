package io.bulwark.bench.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Finds a tool the suite drives ({@code wrk}, {@code nginx}) and installs its Debian package with
 * {@code apt-get} when it is missing (as root, or through {@code sudo -n}). Nothing is started as a
 * service: the suite runs NGINX itself, as the current user, under its own temp prefix.
 */
final class DebianPackages {
  private static final List<String> DIRS =
      List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin");

  private DebianPackages() {}

  /** The tool's absolute path, installing {@code debianPackage} first if it is missing. */
  static Path ensure(String tool, String debianPackage, PrintStream out) throws Exception {
    Path found = find(tool);
    if (found != null) {
      return found;
    }
    out.printf(
        "%s is missing: installing the Debian package %s with apt-get%n", tool, debianPackage);
    List<String> prefix = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))) {
      prefix.add("sudo");
      prefix.add("-n");
    }
    run(prefix, List.of("apt-get", "install", "-y", "--no-install-recommends", debianPackage));
    found = find(tool);
    if (found == null) {
      throw new IllegalStateException(
          "apt-get install "
              + debianPackage
              + " finished but no "
              + tool
              + " is on "
              + DIRS
              + "; install it by hand");
    }
    return found;
  }

  private static @Nullable Path find(String tool) {
    List<String> dirs = new ArrayList<>(DIRS);
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(0, List.of(path.split(":")));
    }
    for (String d : dirs) {
      Path p = Path.of(d.isEmpty() ? "." : d, tool);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static void run(List<String> prefix, List<String> command) throws Exception {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(all).redirectErrorStream(true);
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + all + ": " + e.getMessage(), e);
    }
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(all + " failed:\n" + log);
    }
  }
}
