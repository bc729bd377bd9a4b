package io.bulwark.runtime.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ahead-of-time caches for process-mode children (the JDK's AOT cache, JEP 483: the classes a child
 * loads, already parsed and linked), one per service, made by the runtime on first use so a child
 * that starts later (a canary, a rollback, an autoscaled or restarted instance) spends less CPU
 * before it listens, CPU that the running instances would otherwise lose.
 *
 * <p>How: the first child of a service with no cache records its class loading ({@code
 * -XX:AOTMode=record}); the JVM writes the configuration when that child exits normally (a graceful
 * stop; a killed child writes nothing, and the next one records instead). At its stop (after its
 * children, so no running instance loses the CPU) the runtime creates the caches from them in
 * separate JVMs ({@code -XX:AOTMode=create}), each into a temporary file renamed into place, so a
 * child never maps half a cache. Later children of the service start with {@code -XX:AOTCache}; a
 * cache the JVM finds stale is ignored by the JVM (a warning on the child's stdout) and the child
 * starts as it would without.
 *
 * <p>Where: a directory per key, the key a digest of the java binary, the JVM's version, the
 * children's JVM options and every class-path entry with its size and modification time, so a
 * rebuilt jar or another JDK never meets an old cache. Only a class path made of jar files is
 * cached (the JDK archives classes from jars only): with a directory on it (a build's {@code
 * target/classes}, as in tests) {@link #of} returns null and children start as before.
 *
 * <p>Disk: a cache is about 40 MB (the shop's payments service; the shop's 14 services together
 * about 480 MB); the two most recently used keys are kept (the current build and one other, so two
 * checkouts or two option sets used in turn do not record again each time), older ones deleted when
 * a runtime opens its key.
 *
 * <p>Thread-safe. {@link #close} waits a bounded time for the creations in progress.
 */
final class ChildArchives {
  private static final Logger LOG = LoggerFactory.getLogger(ChildArchives.class);
  private static final String CACHE = ".aot";
  private static final String CONFIG = ".aotconf";
  private static final int KEPT_KEYS = 2;

  /**
   * How much longer the system's stop waits for a recording child: the JVM writes its configuration
   * (about 40 MB) as it exits, about 2.5 CPU seconds, far more on a loaded machine; killed
   * meanwhile it leaves a truncated file, and the next child records again. A deploy's or a
   * rollback's stop does not wait for it (it would delay the rollout).
   */
  static final Duration RECORDING_EXIT = Duration.ofSeconds(30);

  private final Path dir;
  private final String java;
  private final List<String> jvmArgs;
  private final String classPath;
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<String> recording = new HashSet<>();
  private final Map<String, Path> recorded = new LinkedHashMap<>();
  private final AtomicInteger uses = new AtomicInteger();

  private ChildArchives(Path dir, String java, List<String> jvmArgs, String classPath) {
    this.dir = dir;
    this.java = java;
    this.jvmArgs = List.copyOf(jvmArgs);
    this.classPath = classPath;
  }

  /**
   * The caches under {@code base} for children started as {@code java jvmArgs -cp classPath}, or
   * null when the class path holds anything but jar files.
   */
  static @Nullable ChildArchives of(
      Path base, String java, List<String> jvmArgs, String classPath) {
    List<String> entries = List.of(classPath.split(File.pathSeparator));
    StringBuilder key = new StringBuilder(java).append('\n');
    key.append(Runtime.version()).append('\n').append(String.join(" ", jvmArgs)).append('\n');
    for (String e : entries) {
      Path p = Path.of(e);
      if (!e.endsWith(".jar") || !Files.isRegularFile(p)) {
        LOG.debug("no AOT cache for children: class path entry {} is not a jar file", e);
        return null;
      }
      try {
        key.append(p.toAbsolutePath()).append(' ').append(Files.size(p)).append(' ');
        key.append(Files.getLastModifiedTime(p).toMillis()).append('\n');
      } catch (IOException ex) {
        LOG.debug("no AOT cache for children: {} cannot be read: {}", e, ex.toString());
        return null;
      }
    }
    try {
      Path dir = Files.createDirectories(base.resolve(digest(key.toString())));
      Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
      prune(base, dir);
      return new ChildArchives(dir, java, jvmArgs, classPath);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("no AOT cache for children: {} cannot be written: {}", base, e.toString());
      return null;
    }
  }

  /**
   * Keeps the {@link #KEPT_KEYS} most recently used key directories under {@code base} ({@code
   * current} among them): the caches of an older build or JDK are deleted (a JVM that maps one
   * keeps its mapping).
   */
  private static void prune(Path base, Path current) throws IOException {
    List<Path> keys;
    try (Stream<Path> s = Files.list(base)) {
      keys = new ArrayList<>(s.filter(p -> !p.equals(current) && Files.isDirectory(p)).toList());
    }
    keys.sort(Comparator.comparing(ChildArchives::modified).reversed());
    for (Path old : keys.subList(Math.min(keys.size(), KEPT_KEYS - 1), keys.size())) {
      try (Stream<Path> files = Files.list(old)) {
        files.forEach(ChildArchives::deleteQuietly);
      }
      deleteQuietly(old);
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String digest(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The directory of this key's caches. */
  Path dir() {
    return dir;
  }

  /** The cache file of {@code service} (it may not exist yet). */
  Path cache(String service) {
    return dir.resolve(service + CACHE);
  }

  /**
   * The JVM options for the next child of {@code service}: the cache when there is one, else the
   * recording options when no other child of the service records now, else none. The caller calls
   * {@link Use#exited} when that child's process has ended.
   */
  Use use(String service) {
    Path cache = cache(service);
    if (Files.isRegularFile(cache)) {
      return new Use(this, service, List.of("-XX:AOTCache=" + cache), null);
    }
    lock.lock();
    try {
      if (!recording.add(service)) {
        return Use.NONE;
      }
    } finally {
      lock.unlock();
    }
    Path config =
        dir.resolve(
            service + "-" + ProcessHandle.current().pid() + "-" + uses.incrementAndGet() + CONFIG);
    return new Use(
        this,
        service,
        // the JVM warns on stdout of every class it cannot record (proxies, JFR events): a few
        // thousand lines at the exit, each copied by the parent; errors only
        List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config, "-Xlog:aot*=error"),
        config);
  }

  /** A child's AOT options, and what to do when it has exited. */
  static final class Use {
    /** No cache, no recording. */
    static final Use NONE = new Use(null, "", List.of(), null);

    private final @Nullable ChildArchives owner;
    private final String service;
    private final List<String> args;
    private final @Nullable Path config;

    private Use(
        @Nullable ChildArchives owner, String service, List<String> args, @Nullable Path config) {
      this.owner = owner;
      this.service = service;
      this.args = args;
      this.config = config;
    }

    /** The AOT options to add to the child's command line (possibly none). */
    List<String> jvmArgs() {
      return args;
    }

    /** True when this child records the configuration of its service's cache. */
    boolean records() {
      return config != null;
    }

    /** The child has exited: a recorded configuration becomes a cache, in the background. */
    void exited() {
      Path c = config;
      ChildArchives o = owner;
      if (c != null && o != null) {
        o.recorded(service, c);
      }
    }
  }

  /**
   * A recording child has exited: a configuration the JVM wrote (it creates the file empty at the
   * start and fills it at a normal exit) waits for {@link #close}; else the next child records.
   */
  private void recorded(String service, Path config) {
    if (size(config) == 0) {
      release(service);
      deleteQuietly(config);
      return;
    }
    lock.lock();
    try {
      recorded.put(service, config);
    } finally {
      lock.unlock();
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  private void release(String service) {
    lock.lock();
    try {
      recording.remove(service);
    } finally {
      lock.unlock();
    }
  }

  private void create(String service, Path config) {
    Path tmp = config.resolveSibling(config.getFileName() + CACHE + ".tmp");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmArgs);
    command.add("-XX:AOTMode=create");
    command.add("-XX:AOTConfiguration=" + config);
    command.add("-XX:AOTCache=" + tmp);
    command.add("-cp");
    command.add(classPath);
    Path log = dir.resolve(service + "-create.log");
    long began = System.nanoTime();
    boolean created = false;
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      LOG.warn("AOT cache of {} not created: {}", service, e.toString());
      release(service);
      deleteQuietly(config);
      return;
    }
    try {
      int rc = p.waitFor();
      if (rc == 0 && Files.isRegularFile(tmp)) {
        Files.move(tmp, cache(service), StandardCopyOption.ATOMIC_MOVE);
        created = true;
        LOG.info(
            "AOT cache of {} created in {} ms: {}",
            service,
            Duration.ofNanos(System.nanoTime() - began).toMillis(),
            cache(service));
      } else {
        LOG.warn("AOT cache of {} not created (exit {}): see {}", service, rc, log);
      }
    } catch (IOException e) {
      LOG.warn("AOT cache of {} not created: {}", service, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly(); // abandoned at close: the next runtime records again
    } finally {
      if (!created) {
        release(service);
      }
      deleteQuietly(tmp);
      deleteQuietly(config);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", p, e.toString());
    }
  }

  /**
   * Creates the caches of the configurations recorded so far, two at a time, waiting at most {@code
   * budget}; the creations not done by then are abandoned (their services record again next time).
   * Called once, at the runtime's stop, after its children: creating a cache costs a few CPU
   * seconds that the running children would otherwise lose.
   */
  void close(Duration budget) {
    Map<String, Path> todo;
    lock.lock();
    try {
      todo = new LinkedHashMap<>(recorded);
      recorded.clear();
    } finally {
      lock.unlock();
    }
    if (todo.isEmpty()) {
      return;
    }
    ExecutorService creator =
        Executors.newFixedThreadPool(
            2, Thread.ofPlatform().daemon().name("aot-create-", 1).factory());
    todo.forEach((service, config) -> creator.execute(() -> create(service, config)));
    creator.shutdown();
    try {
      if (!creator.awaitTermination(budget.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("AOT caches still being created after {}: abandoned", budget);
        creator.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      creator.shutdownNow();
    }
  }
}
