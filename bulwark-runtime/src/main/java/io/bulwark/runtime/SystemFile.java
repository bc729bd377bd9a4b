package io.bulwark.runtime;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ConfigLocation;
import io.bulwark.core.config.ConfigProblem;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.telemetry.slo.SloYaml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a system file (YAML) into a {@link SystemModel}:
 *
 * <pre>{@code
 * system: shop
 * services:
 *   payments:
 *     factory: com.example.PaymentsFactory   # a ServiceFactory with a public no-arg constructor
 *     version: 1.0.0
 *     instances: 2
 *     zones: [a, b]                           # or zone: a
 *     port: 9100                              # instance i binds 9100 + i - 1 (default: ephemeral)
 *     storage: data/payments                  # relative to the file's directory
 *     settings: {checkout-timeout: 2s}
 *     autoscale:                              # optional; see AutoscaleSpec#bind for every key
 *       policy: target-tracking
 *       target: 70                            # requests per second per instance
 *       max: 6
 *   orders:
 *     factory: com.example.OrdersFactory
 *     depends-on: [payments]
 * slos:                                       # optional; judged by the runtime (SystemModel#slos)
 *   checkout:                                 # the keys of SloYaml#bind
 *     availability: endpoint
 *     target: POST /orders
 *     objective: 0.99
 *     window: 1h                              # 1h..24h: the system store keeps 24 h of 1 s steps
 *     alerts:
 *       fast: {severity: page, burn-rate: 14.4, long-window: 1h, short-window: 5m}
 * }</pre>
 *
 * Every problem is reported at once as a {@link ConfigException} whose lines read {@code file:line:
 * field: message}: unknown keys, a missing factory, a factory class that cannot be loaded, a bad
 * instance count, a dependency on an unknown service, a dependency cycle, two services whose port
 * ranges overlap, and an SLO the telemetry model refuses or whose window (or an alert's long
 * window) is longer than the {@value #LONGEST_WINDOW_HOURS} h the system's metrics store keeps at
 * the default metrics step.
 */
public final class SystemFile {
  /**
   * The longest SLO or alert window a system file may name: 86,400 steps of the default 1 s metrics
   * step, what the runtime's store keeps at most per series.
   */
  public static final int LONGEST_WINDOW_HOURS = 24;

  private SystemFile() {}

  /** Loads {@code file} (with {@code ${ENV}} substitution from the process environment). */
  public static SystemModel load(Path file) {
    return read(ConfigLoader.withSystemEnv(), file, null, file.toString());
  }

  /** Parses YAML text; {@code source} names it in errors, {@code baseDir} resolves storage. */
  public static SystemModel parse(String yaml, String source, Path baseDir) {
    return read(ConfigLoader.withSystemEnv(), baseDir, yaml, source);
  }

  private static SystemModel read(
      ConfigLoader loader,
      Path fileOrDir,
      @org.jspecify.annotations.Nullable String yaml,
      String source) {
    Path absolute = fileOrDir.toAbsolutePath();
    Path parent = absolute.getParent();
    Path base = yaml == null && parent != null ? parent : absolute;
    // first pass: only the service names, so that a dependency is checked where it is written
    Set<String> names = new LinkedHashSet<>();
    try {
      bindOrParse(
          loader,
          fileOrDir,
          yaml,
          source,
          r -> {
            r.namedSections(
                "services",
                (name, sr) -> {
                  names.add(name);
                  return name;
                });
            return names;
          });
    } catch (ConfigException ignored) {
      // the second pass reports every problem
    }
    Binder binder = new Binder(names, base);
    SystemModel model = bindOrParse(loader, fileOrDir, yaml, source, binder::bind);
    return model;
  }

  private static <T> T bindOrParse(
      ConfigLoader loader,
      Path file,
      @org.jspecify.annotations.Nullable String yaml,
      String source,
      java.util.function.Function<ConfigReader, T> binder) {
    return yaml == null ? loader.load(file, binder) : loader.parse(yaml, source, binder);
  }

  /** The second pass: binds every service and checks the model as a whole. */
  private static final class Binder {
    private final Set<String> names;
    private final Path base;
    private final Map<String, ConfigLocation> where = new LinkedHashMap<>();

    Binder(Set<String> names, Path base) {
      this.names = names;
      this.base = base;
    }

    SystemModel bind(ConfigReader r) {
      r.require("system").require("services");
      String[] name = {"system"};
      r.string("system", v -> name[0] = v);
      Map<String, ServiceSpec> specs = r.namedSections("services", this::service);
      Map<String, Slo> slos = r.namedSections("slos", Binder::slo);
      List<ConfigProblem> problems = new ArrayList<>();
      portClashes(specs, problems);
      SystemModel.Builder b = SystemModel.builder(name[0]);
      specs.values().forEach(b::service);
      slos.values().forEach(b::slo);
      if (specs.size() == names.size() && problems.isEmpty()) {
        try {
          return b.build();
        } catch (IllegalArgumentException e) {
          String msg = String.valueOf(e.getMessage());
          int at = msg.indexOf("dependency cycle ");
          String first =
              at < 0 ? "" : msg.substring(at + "dependency cycle ".length()).split(" ", 2)[0];
          ConfigLocation loc = where.getOrDefault(first, r.location());
          problems.add(new ConfigProblem(loc, "services." + first + ".depends-on", msg));
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return b.build();
    }

    private ServiceSpec service(String service, ConfigReader sr) {
      where.put(service, sr.location());
      sr.require("factory");
      ServiceSpec.Builder[] holder = {null};
      sr.string("factory", cls -> holder[0] = ServiceSpec.builder(service, cls));
      ServiceSpec.Builder b = holder[0];
      if (b == null) {
        // no usable factory: bind the rest against a placeholder so that its problems show too
        b = ServiceSpec.builder(service, ctx -> ServiceInstance.none());
      }
      ServiceSpec.Builder spec = b;
      sr.string("version", spec::version);
      sr.integer("instances", spec::instances);
      sr.string("zone", spec::zone);
      sr.strings("zones", spec::zones);
      sr.integer("port", spec::port);
      sr.string("storage", dir -> spec.storage(base.resolve(dir).normalize()));
      sr.strings(
          "depends-on",
          deps -> {
            for (String d : deps) {
              if (!names.contains(d)) {
                throw new IllegalArgumentException(
                    "unknown service " + d + " (the system has " + names + ")");
              }
              spec.dependsOn(d);
            }
          });
      sr.section(
          "settings",
          s -> {
            for (String key : List.copyOf(s.keys())) {
              s.string(key, v -> spec.setting(key, v));
            }
            return s;
          });
      Optional<io.bulwark.runtime.autoscale.AutoscaleSpec> auto =
          sr.section("autoscale", io.bulwark.runtime.autoscale.AutoscaleSpec::bind);
      if (auto != null) {
        auto.ifPresent(spec::autoscale);
      }
      if (holder[0] == null) {
        sr.reject("service " + service + " has no usable factory");
      }
      return spec.build();
    }

    /** An SLO bound by the telemetry module's binder, its windows within the store's reach. */
    private static Slo slo(String name, ConfigReader sr) {
      if (!sr.has("window")) {
        sr.reject(
            "window is required (1h to "
                + LONGEST_WINDOW_HOURS
                + "h: the default of 30d is longer than the system's metrics store keeps)");
      }
      return SloYaml.bind(name, sr, Duration.ofHours(LONGEST_WINDOW_HOURS));
    }

    private void portClashes(Map<String, ServiceSpec> specs, List<ConfigProblem> problems) {
      List<ServiceSpec> seen = new ArrayList<>();
      for (ServiceSpec s : specs.values()) {
        if (s.port() == 0) {
          continue;
        }
        int lo = s.port();
        int hi = s.port() + s.instances() - 1;
        for (ServiceSpec o : seen) {
          int olo = o.port();
          int ohi = o.port() + o.instances() - 1;
          if (lo <= ohi && olo <= hi) {
            problems.add(
                new ConfigProblem(
                    where.getOrDefault(s.name(), new ConfigLocation("?", 0)),
                    "services." + s.name() + ".port",
                    "ports "
                        + lo
                        + ".."
                        + hi
                        + " clash with service "
                        + o.name()
                        + " ("
                        + olo
                        + ".."
                        + ohi
                        + ")"));
          }
        }
        seen.add(s);
      }
    }
  }
}
