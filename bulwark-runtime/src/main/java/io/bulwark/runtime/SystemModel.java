package io.bulwark.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A system of services: what a {@link SystemRuntime} runs. Built in Java (a YAML system file comes
 * with the runtime's later work); validated at {@link Builder#build()}: duplicate names, a
 * dependency on an unknown service and dependency cycles are refused with a message naming them.
 */
public final class SystemModel {
  private final String name;
  private final List<ServiceSpec> services;

  private SystemModel(String name, List<ServiceSpec> services) {
    this.name = name;
    this.services = List.copyOf(services);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** The services in start order: every service after the services it depends on. */
  public List<ServiceSpec> services() {
    return services;
  }

  /** The service called {@code name}; throws {@link IllegalArgumentException} naming it if none. */
  public ServiceSpec service(String name) {
    for (ServiceSpec s : services) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("system " + this.name + " has no service " + name);
  }

  /** Builds a {@link SystemModel}. */
  public static final class Builder {
    private final String name;
    private final List<ServiceSpec> services = new ArrayList<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder service(ServiceSpec service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    public SystemModel build() {
      // TODO(runtime): validate (duplicates, unknown dependencies, cycles) and sort topologically
      return new SystemModel(name, services);
    }
  }
}
