package io.bulwark.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's AOT caches for its children: who records, who uses a cache, what a killed recorder
 * or a failed creation leaves, and which class paths and builds get one. The JVM's part (record,
 * create, use) is played by a script standing in for {@code java}: it writes the file named by
 * {@code -XX:AOTCache=} when its configuration file exists, and fails otherwise.
 */
class ChildArchivesTest {
  private static final List<String> ARGS = List.of("-Xmx96m", "-XX:TieredStopAtLevel=1");

  @TempDir Path tmp;
  private Path base;
  private Path jarA;
  private Path jarB;
  private String classPath;

  @BeforeEach
  void jars() throws IOException {
    base = tmp.resolve("aot");
    jarA = Files.writeString(tmp.resolve("a.jar"), "a");
    jarB = Files.writeString(tmp.resolve("b.jar"), "bb");
    classPath = jarA + File.pathSeparator + jarB;
  }

  private Path fakeJava(int exitCode) throws IOException {
    Path script = tmp.resolve("java-" + exitCode);
    Files.writeString(
        script,
        """
        #!/bin/sh
        conf=""; out=""
        for a in "$@"; do
          case "$a" in
            -XX:AOTConfiguration=*) conf="${a#-XX:AOTConfiguration=}" ;;
            -XX:AOTCache=*) out="${a#-XX:AOTCache=}" ;;
          esac
        done
        echo "create $conf -> $out $*"
        [ -f "$conf" ] || exit 3
        [ %d -eq 0 ] || exit %d
        printf 'cache of %%s' "$conf" > "$out"
        """
            .formatted(exitCode, exitCode));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private ChildArchives archives(Path java) {
    return Objects.requireNonNull(ChildArchives.of(base, java.toString(), ARGS, classPath));
  }

  private static Path option(ChildArchives.Use use, String prefix) {
    return use.jvmArgs().stream()
        .filter(a -> a.startsWith(prefix))
        .map(a -> Path.of(a.substring(prefix.length())))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " in " + use.jvmArgs()));
  }

  @Test
  void theFirstChildRecordsOthersWaitAndAGracefulExitMakesTheCacheTheNextChildUses()
      throws IOException {
    ChildArchives a = archives(fakeJava(0));
    ChildArchives.Use first = a.use("payments");
    assertThat(first.records()).isTrue();
    assertThat(first.jvmArgs()).first().isEqualTo("-XX:AOTMode=record");
    Path config = option(first, "-XX:AOTConfiguration=");
    ChildArchives.Use second = a.use("payments"); // while the first still records
    assertThat(second.records()).isFalse();
    assertThat(second.jvmArgs()).isEmpty();
    assertThat(a.use("cart").records()).as("another service records on its own").isTrue();

    Files.writeString(config, "recorded classes"); // the JVM fills it at a graceful exit
    first.exited();
    second.exited(); // a non-recording child's exit changes nothing
    assertThat(a.cache("payments"))
        .as("created at the stop, not while children run")
        .doesNotExist();
    assertThat(a.use("payments").jvmArgs()).as("recorded, waiting for the stop").isEmpty();
    a.close(Duration.ofSeconds(30));

    Path cache = a.cache("payments");
    assertThat(cache).content().isEqualTo("cache of " + config);
    assertThat(config).as("the configuration is consumed").doesNotExist();
    try (Stream<Path> files = Files.list(a.dir())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file stays")
          .noneMatch(n -> n.endsWith(".tmp"));
    }
    assertThat(Files.readString(a.dir().resolve("payments-create.log")))
        .as("the cache is created with the children's own JVM options and class path")
        .contains("-XX:AOTMode=create", "-Xmx96m -XX:TieredStopAtLevel=1", classPath);

    ChildArchives later = archives(fakeJava(0)); // the next run of the same build
    assertThat(later.dir()).isEqualTo(a.dir());
    ChildArchives.Use third = later.use("payments");
    assertThat(third.records()).isFalse();
    assertThat(third.jvmArgs()).containsExactly("-XX:AOTCache=" + cache);
    later.close(Duration.ofSeconds(1));
  }

  @Test
  void aKilledRecorderWritesNothingAndTheNextChildRecordsAgain() throws IOException {
    ChildArchives a = archives(fakeJava(0));
    ChildArchives.Use killed = a.use("inventory");
    Path config = option(killed, "-XX:AOTConfiguration=");
    Files.createFile(config); // the JVM creates it at its start and fills it only at a normal exit
    killed.exited(); // SIGKILL
    assertThat(config).as("the empty file is deleted").doesNotExist();
    ChildArchives.Use next = a.use("inventory");
    assertThat(next.records()).isTrue();
    assertThat(option(next, "-XX:AOTConfiguration="))
        .as("each recorder its own file: a later one never truncates one being created")
        .isNotEqualTo(config);
    ChildArchives.Use failedLaunch = archives(fakeJava(0)).use("cart");
    failedLaunch.exited(); // the process never started: no file at all
    a.close(Duration.ofSeconds(1));
    assertThat(a.cache("inventory")).doesNotExist();
  }

  @Test
  void aFailedCreationLeavesNoCacheAndLetsTheNextChildRecord() throws IOException {
    ChildArchives a = archives(fakeJava(1));
    ChildArchives.Use first = a.use("gateway");
    Files.writeString(option(first, "-XX:AOTConfiguration="), "recorded");
    first.exited();
    a.close(Duration.ofSeconds(30));
    assertThat(a.cache("gateway")).doesNotExist();
    try (Stream<Path> files = Files.list(a.dir())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("gateway-create.log");
    }
    ChildArchives again = archives(fakeJava(0));
    assertThat(again.use("gateway").records()).isTrue();
    again.close(Duration.ofSeconds(1));
  }

  @Test
  void aClassPathWithADirectoryOrAMissingJarGetsNoCache() throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    String java = fakeJava(0).toString();
    assertThat(ChildArchives.of(base, java, ARGS, jarA + File.pathSeparator + classes)).isNull();
    assertThat(ChildArchives.of(base, java, ARGS, tmp.resolve("gone.jar").toString())).isNull();
  }

  @Test
  void aRebuiltJarOrOtherJvmOptionsMeanAnotherKeyAndOnlyTwoKeysAreKept() throws IOException {
    String java = fakeJava(0).toString();
    ChildArchives first = Objects.requireNonNull(ChildArchives.of(base, java, ARGS, classPath));
    Files.writeString(first.cache("payments"), "old");
    Files.setLastModifiedTime(first.dir(), FileTime.fromMillis(1_000));
    Files.writeString(jarB, "rebuilt"); // another size
    ChildArchives rebuilt = Objects.requireNonNull(ChildArchives.of(base, java, ARGS, classPath));
    assertThat(rebuilt.dir()).isNotEqualTo(first.dir());
    assertThat(rebuilt.use("payments").records()).as("no cache of the old jar").isTrue();
    assertThat(first.dir()).as("two keys: both kept").exists();
    assertThat(first.cache("payments")).as("the other key's cache is untouched").hasContent("old");
    Files.setLastModifiedTime(rebuilt.dir(), FileTime.fromMillis(2_000));

    ChildArchives otherArgs =
        Objects.requireNonNull(ChildArchives.of(base, java, List.of("-Xmx64m"), classPath));
    assertThat(otherArgs.dir()).isNotEqualTo(rebuilt.dir());
    assertThat(first.dir()).as("the least recently used key is deleted").doesNotExist();
    assertThat(rebuilt.dir()).exists();
    assertThat(otherArgs.dir()).exists();
    Files.setLastModifiedTime(otherArgs.dir(), FileTime.fromMillis(3_000));

    ChildArchives rebuiltAgain =
        Objects.requireNonNull(ChildArchives.of(base, java, ARGS, classPath));
    assertThat(rebuiltAgain.dir()).as("the same key again").isEqualTo(rebuilt.dir());
    assertThat(otherArgs.dir()).as("used in turn: both kept").exists();
    try (var dirs = Files.list(base)) {
      assertThat(dirs.filter(Files::isDirectory).count()).isEqualTo(2);
    }
    for (ChildArchives a : List.of(first, rebuilt, otherArgs, rebuiltAgain)) {
      a.close(Duration.ofSeconds(1));
    }
  }
}
