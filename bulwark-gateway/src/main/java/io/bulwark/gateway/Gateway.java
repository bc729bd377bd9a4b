package io.bulwark.gateway;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ReloadableConfig;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.internal.Engine;
import io.bulwark.gateway.internal.GatewayCounters;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the listeners of its {@link GatewayConfig}, proxying to its clusters, and the
 * admin API. Built with {@link #builder(GatewayConfig)} or {@link #builder(Path)} (a YAML file,
 * optionally watched: a changed file is validated, diffed and swapped in; an invalid one is
 * rejected with its errors while the running config keeps serving). Thread-safe.
 *
 * <pre>{@code
 * try (Gateway gateway = Gateway.builder(Path.of("gateway.yaml")).watch(Duration.ofSeconds(2)).start()) {
 *   int port = gateway.port("public");
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Engine engine;
  private final @Nullable ReloadableConfig<GatewayConfig> file;
  private final GatewayCounters counters;

  private Gateway(
      Engine engine, @Nullable ReloadableConfig<GatewayConfig> file, GatewayCounters counters) {
    this.engine = engine;
    this.file = file;
    this.counters = counters;
  }

  /**
   * A read-only snapshot for dashboards: RED counts per route, upstream attempts and endpoint
   * health per cluster, the config version and the reload history. Cheap: reads counters, takes no
   * lock on the data path.
   */
  public GatewayStats stats() {
    return counters.stats(engine);
  }

  /**
   * The network transport the gateway's event loops run on: {@code "epoll"} (Netty's native
   * transport) or {@code "nio"}.
   */
  public String transport() {
    return engine.vertx().isNativeTransportEnabled() ? "epoll" : "nio";
  }

  private static String transport(Vertx v, boolean asked) {
    if (v.isNativeTransportEnabled()) {
      return "epoll (native)";
    }
    Throwable why = v.unavailableNativeTransportCause();
    return asked && why != null
        ? "nio (the native epoll transport did not load: " + why + ")"
        : "nio";
  }

  /** A gateway serving {@code config}. */
  public static Builder builder(GatewayConfig config) {
    return new Builder(config, null);
  }

  /**
   * A gateway serving the YAML file {@code file}.
   *
   * @throws ConfigException if the file is invalid, with every problem as {@code file:line: field:
   *     message}
   */
  public static Builder builder(Path file) {
    return new Builder(null, file);
  }

  /** The bound port of listener {@code name}. */
  public int port(String listener) {
    return engine.port(listener);
  }

  /** The admin API's port, or -1 if it is disabled. */
  public int adminPort() {
    return engine.adminPort();
  }

  /** The version of the config in force: 1 at start, one more per successful reload. */
  public long configVersion() {
    return engine.version();
  }

  /** The config in force. */
  public GatewayConfig config() {
    return engine.config();
  }

  /**
   * Swaps in {@code next}: requests that started earlier finish on the config they started with.
   *
   * @return what changed, one line per route, cluster or listener ({@code + route a}, {@code ~
   *     cluster b}, {@code - route c}); listener and admin changes take effect on restart
   */
  public List<String> reload(GatewayConfig next) {
    List<String> changes = engine.reload(next);
    counters.reloaded(engine.version(), changes);
    return changes;
  }

  /**
   * Reads the config file again now (for a gateway built from a file).
   *
   * @return true if a new config is in force, false if the file was invalid (its errors are logged
   *     and passed to the builder's {@code onReloadError}) and the old config still serves
   */
  public boolean reloadFile() {
    ReloadableConfig<GatewayConfig> f = file;
    if (f == null) {
      throw new IllegalStateException("this gateway was not built from a file");
    }
    return f.reload();
  }

  /**
   * Checks the key material files of every TLS listener now, as its {@code reload-interval} timer
   * does: a changed, valid certificate is used by new handshakes (open connections keep theirs); an
   * invalid one is rejected and the old one keeps serving.
   *
   * @return one line per listener whose files changed: {@code listener NAME: certificate reloaded:
   *     ...} or {@code listener NAME: certificate rejected, the previous one keeps serving: WHY}
   */
  public List<String> reloadCertificates() {
    return engine.reloadCertificates();
  }

  @Override
  public void close() {
    ReloadableConfig<GatewayConfig> f = file;
    if (f != null) {
      f.close();
    }
    engine.close();
  }

  /** Builds and starts a gateway. */
  public static final class Builder {
    private final @Nullable GatewayConfig config;
    private final @Nullable Path file;
    private @Nullable Vertx vertx;
    private int eventLoops = 1;
    private boolean nativeTransport = true;
    private Scheduler scheduler = Scheduler.system();
    private Telemetry telemetry = Telemetry.noop();
    private @Nullable ServiceDiscovery discovery;
    private @Nullable Duration watch;
    private Consumer<ConfigException> onReloadError = e -> {};

    private Builder(@Nullable GatewayConfig config, @Nullable Path file) {
      this.config = config;
      this.file = file;
    }

    /** The Vert.x instance to run on (default: one of the gateway's own, closed with it). */
    public Builder vertx(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      return this;
    }

    /** How many event loops serve each listener (default 1). */
    public Builder eventLoops(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException("eventLoops must be 1 to 256, was " + n);
      }
      this.eventLoops = n;
      return this;
    }

    /**
     * Whether the gateway's own Vert.x (when none is given with {@link #vertx}) runs on Netty's
     * native epoll transport where it loads (Linux x86-64; default true), else on Java NIO. Where
     * the native library cannot load the gateway runs on NIO and its start-up log says why.
     */
    public Builder nativeTransport(boolean prefer) {
      this.nativeTransport = prefer;
      return this;
    }

    /** The clock and scheduler for health checks, ejections, breakers and file watching. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Where RED metrics per route and cluster, and spans per request and attempt, go. */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** Where clusters with a {@code service} find their endpoints. */
    public Builder discovery(ServiceDiscovery discovery) {
      this.discovery = Objects.requireNonNull(discovery, "discovery");
      return this;
    }

    /** Checks the config file every {@code interval} and reloads it when it changed. */
    public Builder watch(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("watch interval must be > 0, was " + interval);
      }
      this.watch = interval;
      return this;
    }

    /** Called with the errors of a config file that was rejected on reload. */
    public Builder onReloadError(Consumer<ConfigException> listener) {
      this.onReloadError = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Starts the gateway: every listener accepts connections when this returns.
     *
     * @throws ConfigException if the config file is invalid
     */
    public Gateway start() {
      ReloadableConfig<GatewayConfig> reloadable =
          file == null
              ? null
              : new ReloadableConfig<>(file, ConfigLoader.withSystemEnv(), GatewayConfig::bind);
      GatewayConfig initial =
          reloadable != null ? reloadable.current() : Objects.requireNonNull(config);
      boolean owns = vertx == null;
      Vertx v =
          vertx != null
              ? vertx
              : Vertx.vertx(
                  new VertxOptions()
                      .setEventLoopPoolSize(Math.max(2, eventLoops))
                      .setPreferNativeTransport(nativeTransport));
      LOG.info("gateway transport: {}", transport(v, owns && nativeTransport));
      GatewayCounters counters = new GatewayCounters(telemetry, scheduler.clock());
      Engine engine = new Engine(initial, v, owns, eventLoops, scheduler, counters, discovery);
      try {
        engine.start();
      } catch (RuntimeException e) {
        engine.close();
        throw e;
      }
      if (reloadable != null) {
        reloadable.onChange(
            next -> {
              List<String> changes = engine.reload(next);
              counters.reloaded(engine.version(), changes);
            });
        reloadable.onError(
            e -> {
              LOG.warn(
                  "gateway config {} rejected, the running config keeps serving: {}",
                  file,
                  e.getMessage());
              onReloadError.accept(e);
            });
        Duration w = watch;
        if (w != null) {
          reloadable.watch(scheduler, w);
        }
      }
      return new Gateway(engine, reloadable, counters);
    }
  }
}
