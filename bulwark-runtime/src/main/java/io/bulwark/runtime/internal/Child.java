package io.bulwark.runtime.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process-mode child JVM (one incarnation of one instance), seen from the parent: launched with
 * this JVM's java and class path, its stdout copied to {@code logs/stdout.log} under the instance's
 * storage (and watched for the port line), its stderr appended to {@code logs/stderr.log}, its
 * stdin a pipe that only the parent holds — when the parent dies the pipe closes and the child
 * exits.
 */
final class Child {
  private static final Logger LOG = LoggerFactory.getLogger(Child.class);
  final Process process;
  private final String id;
  private final OutputStream stdin;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final Thread pump;
  private volatile boolean expectedExit;
  private final Supplier<Duration> exitMargin;

  private Child(String id, Process process, Path stdoutLog, Supplier<Duration> exitMargin) {
    this.id = id;
    this.process = process;
    this.exitMargin = exitMargin;
    this.stdin = process.getOutputStream();
    this.pump = Thread.ofVirtual().name(id + "-stdout").start(() -> pump(stdoutLog));
  }

  /**
   * Writes the child's description and starts it; does not wait. {@code exitMargin}: how much
   * longer than usual a graceful stop beginning now waits for the exit (a child that writes its AOT
   * recording when it exits, at the system's stop).
   */
  static Child launch(
      String id,
      Path storage,
      Properties description,
      List<String> jvmArgs,
      Supplier<Duration> exitMargin) {
    try {
      Path logs = Files.createDirectories(storage.resolve("logs"));
      Path file = storage.resolve("child.properties");
      Files.deleteIfExists(file);
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // it may hold the child's key store password: its owner's only
        Files.createFile(
            file,
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      }
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        description.store(w, "bulwark process-mode child " + id);
      }
      List<String> command = new ArrayList<>();
      command.add(java());
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(classPath());
      command.add(ChildMain.class.getName());
      command.add(file.toString());
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("stderr.log").toFile()));
      pb.directory(storage.toFile());
      return new Child(id, pb.start(), logs.resolve("stdout.log"), exitMargin);
    } catch (IOException e) {
      throw new UncheckedIOException(id + ": cannot start a child JVM: " + e.getMessage(), e);
    }
  }

  /** The java binary of the children: this JVM's. */
  static String java() {
    return ProcessHandle.current().info().command().orElse(javaFromHome());
  }

  private static String javaFromHome() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** This JVM's class path and module path, for a child on the class path. */
  static String classPath() {
    List<String> parts = new ArrayList<>();
    for (String key : List.of("jdk.module.path", "java.class.path")) {
      String v = System.getProperty(key);
      if (v != null && !v.isBlank()) {
        parts.add(v);
      }
    }
    return String.join(java.io.File.pathSeparator, parts);
  }

  private void pump(Path log) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        if (!port.isDone() && line.startsWith(ChildMain.PORT_LINE)) {
          port.complete(Integer.parseInt(line.substring(ChildMain.PORT_LINE.length()).strip()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("{}: stdout copy ended: {}", id, e.toString());
    } finally {
      port.completeExceptionally(
          new IllegalStateException(
              id + ": the child exited before it listened (see its logs/stderr.log)"));
    }
  }

  /** Waits for the port line, at most {@code timeout} (real time). */
  int awaitPort(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw new IllegalStateException(c == null ? e.toString() : c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new TimeoutException(id + ": child did not listen within " + timeout);
    }
  }

  /** True when the parent asked this child to end (stop or kill). */
  boolean expectedExit() {
    return expectedExit;
  }

  /** Graceful: "stop" on stdin; forcibly after {@code budget} plus 5 s (plus the exit margin). */
  void stop(Duration budget) {
    expectedExit = true;
    try {
      stdin.write("stop\n".getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      // already gone
    }
    Duration limit = budget.plusSeconds(5).plus(exitMargin.get());
    if (!waitFor(limit)) {
      LOG.warn("{}: child did not stop within {}; killing it", id, limit);
      kill();
    }
    closeStdin();
    joinPump();
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill() {
    expectedExit = true;
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
    closeStdin();
    joinPump();
  }

  /** A start that failed: the child goes, whatever state it is in. */
  void abandon() {
    kill();
  }

  private boolean waitFor(Duration d) {
    try {
      return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return false;
    }
  }

  private void closeStdin() {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // gone
    }
  }

  private void joinPump() {
    try {
      pump.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads the child's report ({@link ChildReport#PATH}); null when the child did not answer it
   * (gone, busy past 2 s, or a malformed answer, which is logged).
   */
  @Nullable ChildReport scrape(HttpClient http, String scheme, String host, int childPort) {
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(scheme + "://" + host + ":" + childPort + ChildReport.PATH))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        LOG.debug("{}: scrape answered {}", id, r.statusCode());
        return null;
      }
      return ChildReport.parse(r.body());
    } catch (IOException e) {
      return null;
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: {}", id, e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
