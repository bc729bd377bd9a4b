package io.bulwark.bench.gateway;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.gateway.Gateway;
import io.bulwark.gateway.GatewayConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
 * {@code PORT <n>} once it listens and exits when its stdin closes.
 */
final class BulwarkGatewayProcess implements AutoCloseable {
  private final Process process;
  final int port;

  private BulwarkGatewayProcess(Process process, int port) {
    this.process = process;
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

  static BulwarkGatewayProcess start(int eventLoops, int upstreamPort, int pool) throws Exception {
    Path jar =
        Path.of(
            BulwarkGatewayProcess.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the JVM options the bulwark launcher gives every role (Netty uses Unsafe only with the
    // second)
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--sun-misc-unsafe-memory-access=allow");
    String opts = System.getenv("BULWARK_GATEWAY_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    }
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
    while ((line = lines.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        return new BulwarkGatewayProcess(p, Integer.parseInt(line.substring(5).trim()));
      }
    }
    p.waitFor(10, TimeUnit.SECONDS);
    throw new IllegalStateException("the Bulwark gateway child exited before listening: " + cmd);
  }

  long pid() {
    return process.pid();
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
    try (Gateway gateway = Gateway.builder(config).eventLoops(loops).start()) {
      System.out.println("PORT " + gateway.port("public"));
      System.out.flush();
      while (System.in.read() >= 0) {
        // run until the parent closes stdin
      }
    }
  }
}
