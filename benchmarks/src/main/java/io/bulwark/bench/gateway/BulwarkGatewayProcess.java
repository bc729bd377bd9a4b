package io.bulwark.bench.gateway;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.gateway.Gateway;
import io.bulwark.gateway.GatewayConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Bulwark gateway under test, in a JVM of its own so that its CPU time is its own: one
 * listener, one route {@code /} to one static cluster (the upstream) with a keep-alive pool of the
 * given size, default telemetry (none) and no access log, like the NGINX anchor. The child prints
 * {@code PORT <n>} once it listens, answers each {@code gc} line on its stdin with one {@link
 * GcWindow} line on its stdout, and exits when its stdin closes.
 */
final class BulwarkGatewayProcess implements AutoCloseable {
  private final Process process;
  private final BufferedReader lines;
  private final PrintStream commands;
  final int port;

  /** The child's command line (JVM options included). */
  final List<String> command;

  /**
   * The child's collectors and heap as it reported them at start ({@link GcWindow#describeJvm}).
   */
  final String jvm;

  /** The child's network transport ({@code epoll} or {@code nio}), as it reported it at start. */
  final String transport;

  /** The child's system property that makes it run on NIO ({@code nio}) instead of epoll. */
  static final String TRANSPORT_PROPERTY = "bulwark.bench.gateway.transport";

  private BulwarkGatewayProcess(
      Process process,
      BufferedReader lines,
      int port,
      List<String> command,
      String jvm,
      String transport) {
    this.process = process;
    this.transport = transport;
    this.command = List.copyOf(command);
    this.jvm = jvm;
    this.lines = lines;
    this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.port = port;
  }

  /** The child's YAML: the whole gateway configuration of the benchmark. */
  static String config(int port, int upstreamPort, int pool) {
    return """
        listeners:
          public:
            host: 127.0.0.1
            port: %d
            max-connections-per-client: 0   # wrk's connections all come from 127.0.0.1; NGINX has no such limit
        clusters:
          upstream:
            endpoints: [127.0.0.1:%d]
            egress-allow: [loopback]
            pool-size: %d
        routes:
          all:
            match: {path-prefix: /}
            cluster: upstream
        admin:
          port: 0   # any free port: two gateway children (A/B runs) may run side by side
        """
        .formatted(port, upstreamPort, pool);
  }

  /**
   * Starts the child with the {@code gateway} role's JVM options (as the {@code bulwark} launcher
   * gives them) followed by {@code extraJvmOptions} (the suite's {@code --gateway-jvm-opt} flags
   * and {@code BULWARK_GATEWAY_JAVA_OPTS}), which may override them.
   */
  static BulwarkGatewayProcess start(
      int eventLoops, int upstreamPort, int pool, List<String> extraJvmOptions) throws Exception {
    Path jar =
        Path.of(
            BulwarkGatewayProcess.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(GatewayJvm.launcherOptions());
    cmd.addAll(GatewayJvm.roleOptions(extraJvmOptions));
    cmd.addAll(extraJvmOptions);
    cmd.addAll(
        List.of(
            "-cp",
            jar.toString(),
            BulwarkGatewayProcess.class.getName(),
            Integer.toString(eventLoops),
            Integer.toString(upstreamPort),
            Integer.toString(pool)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    String jvm = "";
    String transport = "?";
    while ((line = lines.readLine()) != null) {
      if (line.startsWith("JVM ")) {
        jvm = line.substring(4);
      } else if (line.startsWith("TRANSPORT ")) {
        transport = line.substring(10).trim();
      } else if (line.startsWith("PORT ")) {
        return new BulwarkGatewayProcess(
            p, lines, Integer.parseInt(line.substring(5).trim()), cmd, jvm, transport);
      }
    }
    p.waitFor(10, TimeUnit.SECONDS);
    throw new IllegalStateException("the Bulwark gateway child exited before listening: " + cmd);
  }

  long pid() {
    return process.pid();
  }

  /**
   * The child's collector pauses since the previous call (or since it started): asks over its
   * stdin, reads the answer line from its stdout.
   */
  GcWindow gcSinceLast() throws IOException {
    commands.println(GcWindow.COMMAND);
    String line;
    while ((line = lines.readLine()) != null) {
      if (line.startsWith(GcWindow.PREFIX)) {
        return GcWindow.parse(line);
      }
    }
    throw new IOException("the Bulwark gateway child exited before reporting its GC pauses");
  }

  /** Sends {@code command} (a {@link StageReport} command) and returns the child's answer. */
  String stages(String command) throws IOException {
    commands.println(command);
    String line;
    while ((line = lines.readLine()) != null) {
      if (line.startsWith(StageReport.PREFIX)) {
        return line.substring(StageReport.PREFIX.length());
      }
    }
    throw new IOException("the Bulwark gateway child exited before reporting its stage times");
  }

  @Override
  public void close() throws Exception {
    process.getOutputStream().close(); // the child exits when its stdin closes
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /** The child: {@code <eventLoops> <upstreamPort> <pool>}. */
  public static void main(String[] args) throws Exception {
    GatewaySuite.quietLogging();
    int loops = Integer.parseInt(args[0]);
    GatewayConfig config =
        ConfigLoader.withEnv(Map.of())
            .parse(
                config(
                    // a fixed port: a listener on port 0 with 2 event loops fails to bind its
                    // second server (reported in notes16/bugs.md)
                    Nginx.freePort(), Integer.parseInt(args[1]), Integer.parseInt(args[2])),
                "bench-gateway.yaml",
                GatewayConfig::bind);
    GcWindow.Recorder gc = GcWindow.Recorder.start();
    // the suite's --gateway-jvm-opt -Dbulwark.bench.gateway.transport=nio compares with NIO
    boolean nativeTransport = !"nio".equals(System.getProperty(TRANSPORT_PROPERTY));
    StageReport stages = new StageReport();
    try (Gateway gateway =
        Gateway.builder(config).eventLoops(loops).nativeTransport(nativeTransport).start()) {
      System.out.println(GcWindow.describeJvm());
      System.out.println("TRANSPORT " + gateway.transport());
      System.out.println("PORT " + gateway.port("public"));
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) { // run until the parent closes stdin
        if (line.equals(GcWindow.COMMAND)) {
          System.out.println(gc.takeWindow().format());
          System.out.flush();
        } else {
          String answer = stages.answer(line);
          if (answer != null) {
            System.out.println(answer);
            System.out.flush();
          }
        }
      }
    }
  }
}
