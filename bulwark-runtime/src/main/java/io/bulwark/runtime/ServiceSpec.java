package io.bulwark.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

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

  private ServiceSpec(Builder b) {
    this.name = b.name;
    this.instances = b.instances;
    this.version = b.version;
    this.dependsOn = Collections.unmodifiableSet(new LinkedHashSet<>(b.dependsOn));
    this.settings = Map.copyOf(b.settings);
    this.factory = b.factory;
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

  public Builder toBuilder() {
    Builder b = new Builder(name, factory).instances(instances).version(version);
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
    private final String name;
    private final ServiceFactory factory;
    private int instances = 1;
    private String version = "1.0.0";
    private final Set<String> dependsOn = new LinkedHashSet<>();
    private final Map<String, String> settings = new LinkedHashMap<>();

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

    public ServiceSpec build() {
      return new ServiceSpec(this);
    }

    private static String checkName(String name) {
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
