package io.bulwark.bench.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One NGINX instance run by the suite: in the foreground ({@code daemon off}) as the current user,
 * with its own prefix under a temp directory (config, pid file, error log and every temp path), so
 * it never touches a system service. Two roles: the fast static upstream every row targets, and the
 * reverse proxy Bulwark is compared with.
 */
final class Nginx implements AutoCloseable {
  /** The upstream's answer: the same small body for every row. */
  static final String BODY = "Hello, World!";

  private final Process process;
  private final Path prefix;
  final int port;
  final int workers;

  private Nginx(Process process, Path prefix, int port, int workers) {
    this.process = process;
    this.prefix = prefix;
    this.port = port;
    this.workers = workers;
  }

  /** The static upstream: answers {@link #BODY} on every path, keep-alive without a cap. */
  static Nginx upstream(Path binary, int workers) throws Exception {
    String server =
        """
            server {
              listen 127.0.0.1:%1$d;
              keepalive_requests 10000000;
              location / {
                default_type text/plain;
                return 200 "%2$s";
              }
            }
        """;
    return start(binary, workers, port -> server.formatted(port, BODY), "upstream");
  }

  /**
   * The anchor proxy: a keep-alive pool of {@code pool} connections per worker to the upstream,
   * HTTP/1.1 upstream, the forwarding headers a gateway adds (X-Forwarded-For/-Proto/-Host and a
   * request id), access log off (the Bulwark gateway keeps none either).
   */
  static Nginx proxy(Path binary, int workers, int upstreamPort, int pool) throws Exception {
    String server =
        """
            upstream backend {
              server 127.0.0.1:%2$d;
              keepalive %3$d;
              keepalive_requests 10000000;
            }
            server {
              listen 127.0.0.1:%1$d;
              keepalive_requests 10000000;
              location / {
                proxy_pass http://backend;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_set_header X-Forwarded-Proto $scheme;
                proxy_set_header X-Forwarded-Host $host;
                proxy_set_header X-Request-Id $request_id;
                proxy_buffering on;
              }
            }
        """;
    return start(binary, workers, port -> server.formatted(port, upstreamPort, pool), "proxy");
  }

  private static Nginx start(
      Path binary, int workers, java.util.function.IntFunction<String> server, String role)
      throws Exception {
    Path prefix = Files.createTempDirectory("bulwark-bench-nginx-" + role + "-");
    Files.createDirectories(prefix.resolve("logs"));
    Files.createDirectories(prefix.resolve("tmp"));
    int port = freePort();
    String conf =
        String.format(
            Locale.ROOT,
            """
            worker_processes %1$d;
            pid %2$s/nginx.pid;
            error_log %2$s/logs/error.log warn;
            events {
              worker_connections 4096;
              multi_accept on;
            }
            http {
              access_log off;
              client_body_temp_path %2$s/tmp/body;
              proxy_temp_path %2$s/tmp/proxy;
              fastcgi_temp_path %2$s/tmp/fastcgi;
              uwsgi_temp_path %2$s/tmp/uwsgi;
              scgi_temp_path %2$s/tmp/scgi;
              %3$s
            }
            """,
            workers,
            prefix,
            server.apply(port));
    Path confFile = prefix.resolve("nginx.conf");
    Files.writeString(confFile, conf, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                binary.toString(),
                "-p",
                prefix.toString(),
                "-c",
                confFile.toString(),
                "-g",
                "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
            .start();
    Nginx n = new Nginx(p, prefix, port, workers);
    n.awaitListening(role);
    return n;
  }

  long pid() {
    return process.pid();
  }

  private void awaitListening(String role) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx " + role + " exited at start:\n" + logs());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.onSpinWait();
        process.waitFor(20, TimeUnit.MILLISECONDS); // a process we wait for: returns early on exit
      }
    }
    throw new IllegalStateException(
        "nginx " + role + " did not listen on " + port + ":\n" + logs());
  }

  private String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (String f : new String[] {"logs/stdout.log", "logs/error.log"}) {
      Path p = prefix.resolve(f);
      if (Files.exists(p)) {
        b.append(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return b.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy(); // SIGTERM: the master stops its workers
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(prefix)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
