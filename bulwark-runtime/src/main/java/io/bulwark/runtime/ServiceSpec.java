package io.bulwark.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One service of a {@link SystemModel}: its name, how many instances run, their version, the
 * services it depends on (started before it, stopped after it), its settings and the factory that
 * builds an instance.
 */
public final class ServiceSpec {
  private final String name;
  private final int instances;
  private final String version;
  private final Set<String> dependsOn;
  private final Map<String, String> settings;
  private final ServiceFactory factory;
  private final List<String> zones;
  private final int port;
  private final @Nullable Path storage;
  private final @Nullable String factoryClass;
  private final io.bulwark.runtime.autoscale.@Nullable AutoscaleSpec autoscale;
  private final boolean inParentJvm;
  private final io.bulwark.http.@Nullable AuthorizationPolicy mutualTls;

  private ServiceSpec(Builder b) {
    this.mutualTls = b.mutualTls;
    this.inParentJvm = b.inParentJvm;
    this.name = b.name;
    this.instances = b.instances;
    this.version = b.version;
    this.dependsOn = Collections.unmodifiableSet(new LinkedHashSet<>(b.dependsOn));
    this.settings = Map.copyOf(b.settings);
    this.factory = b.factory;
    this.zones = List.copyOf(b.zones);
    this.port = b.port;
    this.storage = b.storage;
    this.factoryClass = b.factoryClass;
    this.autoscale = b.autoscale;
  }

  /**
   * A builder for service {@code name} whose factory is the class {@code factoryClass}: a public
   * {@link ServiceFactory} with a public no-argument constructor, loaded when the spec is built.
   * Needed for process mode, where each child JVM loads the factory by that name.
   *
   * @throws IllegalArgumentException naming the class when it cannot be loaded or is no factory
   */
  public static Builder builder(String name, String factoryClass) {
    Builder b = new Builder(name, ServiceFactories.load(name, factoryClass));
    b.factoryClass = factoryClass;
    return b;
  }

  /**
   * A builder for service {@code name}: lower-case letters, digits and '-', starting with a letter
   * (it names directories, instance ids and metrics).
   */
  public static Builder builder(String name, ServiceFactory factory) {
    return new Builder(name, factory);
  }

  public String name() {
    return name;
  }

  public int instances() {
    return instances;
  }

  public String version() {
    return version;
  }

  public Set<String> dependsOn() {
    return dependsOn;
  }

  public Map<String, String> settings() {
    return settings;
  }

  public ServiceFactory factory() {
    return factory;
  }

  /**
   * The zone labels the instances are spread over, round robin: instance {@code i} (from 1) is in
   * {@code zones.get((i - 1) % zones.size())}. Default {@code [local]}. Shown in discovery metadata
   * ({@code zone}).
   */
  public List<String> zones() {
    return zones;
  }

  /** The zone of instance {@code index} (from 1). */
  public String zoneOf(int index) {
    return zones.get((index - 1) % zones.size());
  }

  /**
   * The port of the first instance (instance {@code i} binds {@code port + i - 1}), or 0 when the
   * runtime's {@link RuntimeOptions#basePort()} decides.
   */
  public int port() {
    return port;
  }

  /** The service's storage directory, or empty for {@code <storageRoot>/<service>}. */
  public Optional<Path> storage() {
    return Optional.ofNullable(storage);
  }

  /** The factory's class name when built with {@link #builder(String, String)}. */
  public Optional<String> factoryClass() {
    return Optional.ofNullable(factoryClass);
  }

  /**
   * True when, in process mode, this service's instances run inside the parent's JVM (as in
   * process) rather than each in a child JVM: see {@link Builder#inParentJvm()}. No effect in
   * process.
   */
  public boolean inParentJvm() {
    return inParentJvm;
  }

  /** How the runtime autoscales this service, if it does ({@code autoscale:} in a system file). */
  public Optional<io.bulwark.runtime.autoscale.AutoscaleSpec> autoscale() {
    return Optional.ofNullable(autoscale);
  }

  /**
   * The policy of a service under mutual TLS (see {@link Builder#mutualTls}), or null for a service
   * served over plain HTTP.
   */
  public io.bulwark.http.@Nullable AuthorizationPolicy mutualTls() {
    return mutualTls;
  }

  public Builder toBuilder() {
    Builder b = new Builder(name, factory).instances(instances).version(version);
    b.mutualTls = mutualTls;
    b.zones.clear();
    b.zones.addAll(zones);
    b.port = port;
    b.storage = storage;
    b.factoryClass = factoryClass;
    b.autoscale = autoscale;
    b.inParentJvm = inParentJvm;
    dependsOn.forEach(b::dependsOn);
    settings.forEach(b::setting);
    return b;
  }

  @Override
  public String toString() {
    return "service " + name + " ×" + instances + " v" + version;
  }

  /** Builds a {@link ServiceSpec}; every setter validates its value and names it when bad. */
  public static final class Builder {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9_-]+");
    private final String name;
    private final ServiceFactory factory;
    private int instances = 1;
    private String version = "1.0.0";
    private final Set<String> dependsOn = new LinkedHashSet<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<String> zones = new ArrayList<>(List.of("local"));
    private int port;
    private @Nullable Path storage;
    private @Nullable String factoryClass;
    private io.bulwark.runtime.autoscale.@Nullable AutoscaleSpec autoscale;
    private boolean inParentJvm;
    private io.bulwark.http.@Nullable AuthorizationPolicy mutualTls;

    private Builder(String name, ServiceFactory factory) {
      this.name = checkName(Objects.requireNonNull(name, "name"));
      this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** Instances to run, at least 1. */
    public Builder instances(int instances) {
      if (instances < 1) {
        throw new IllegalArgumentException(
            "service " + name + ": instances must be >= 1, got " + instances);
      }
      this.instances = instances;
      return this;
    }

    public Builder version(String version) {
      if (Objects.requireNonNull(version, "version").isBlank()) {
        throw new IllegalArgumentException("service " + name + ": version must not be blank");
      }
      this.version = version;
      return this;
    }

    /**
     * In process mode, runs this service's instances inside the parent's JVM (each its own server,
     * storage and instance id, as in process) instead of one child JVM each: for a service that
     * needs what only one process may hold — an embedded store opened by one process at a time,
     * shared with the parent. Kill, restart and deploy act on them as in process; every other
     * service still runs as child JVMs. No effect in process. Such a service needs no factory
     * class.
     */
    public Builder inParentJvm() {
      this.inParentJvm = true;
      return this;
    }

    /**
     * Serves this service under mutual TLS with {@code policy}: each instance presents a
     * certificate the runtime's workload CA issued it ({@code spiffe://<system>/<service>}),
     * requires one from every caller, and lets a caller through only where {@code policy} allows it
     * (see {@link io.bulwark.http.AuthorizationPolicy}); the runtime itself ({@code
     * spiffe://<system>/bulwark-runtime}: readiness probes, metrics, chaos, the dashboard) is
     * allowed on every route. Callers in the system get their certificate through {@link
     * InstanceContext#withIdentity}.
     */
    public Builder mutualTls(io.bulwark.http.AuthorizationPolicy policy) {
      this.mutualTls = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** A service that must be ready before this one starts. */
    public Builder dependsOn(String service) {
      Objects.requireNonNull(service, "service");
      if (service.equals(name)) {
        throw new IllegalArgumentException("service " + name + " cannot depend on itself");
      }
      dependsOn.add(service);
      return this;
    }

    public Builder setting(String key, String value) {
      settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** One zone for every instance. */
    public Builder zone(String zone) {
      return zones(List.of(zone));
    }

    /** Zones the instances are spread over, round robin (labels: letters, digits, '-', '_'). */
    public Builder zones(List<String> zones) {
      if (zones.isEmpty()) {
        throw new IllegalArgumentException("service " + name + ": zones must not be empty");
      }
      for (String z : zones) {
        if (!ZONE.matcher(Objects.requireNonNull(z, "zone")).matches()) {
          throw new IllegalArgumentException(
              "service " + name + ": zone must be letters, digits, '-' or '_', got \"" + z + "\"");
        }
      }
      this.zones.clear();
      this.zones.addAll(zones);
      return this;
    }

    /** The port of the first instance, 1..65535 (instance i binds port + i - 1); 0 to unset. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "service " + name + ": port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** The service's storage directory (default {@code <storageRoot>/<service>}). */
    public Builder storage(Path storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    /**
     * Autoscales the service while the system runs: the runtime starts an autoscaler with this
     * spec's policy once the system is up and scales the service with {@link SystemRuntime#scale}.
     */
    public Builder autoscale(io.bulwark.runtime.autoscale.AutoscaleSpec autoscale) {
      this.autoscale = Objects.requireNonNull(autoscale, "autoscale");
      return this;
    }

    public ServiceSpec build() {
      if (port != 0 && port + instances - 1 > 65535) {
        throw new IllegalArgumentException(
            "service "
                + name
                + ": port "
                + port
                + " leaves no port for instance "
                + instances
                + " (would be "
                + (port + instances - 1)
                + ")");
      }
      return new ServiceSpec(this);
    }

    private static String checkName(String name) {
      if (name.equals("bulwark-runtime")) {
        throw new IllegalArgumentException(
            "service name \"bulwark-runtime\" is reserved: it is the runtime's own workload"
                + " identity");
      }
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "service name must be lower-case letters, digits and '-' (starting with a letter),"
                + " got \""
                + name
                + "\"");
      }
      return name;
    }
  }
}
