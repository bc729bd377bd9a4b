package io.bulwark.runtime;

import io.bulwark.telemetry.slo.Slo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A system of services and its SLOs: what a {@link SystemRuntime} runs and judges. Built in Java or
 * read from a {@link SystemFile}; validated at {@link Builder#build()}: duplicate service or SLO
 * names, a dependency on an unknown service and dependency cycles are refused with a message naming
 * them.
 */
public final class SystemModel {
  private final String name;
  private final List<ServiceSpec> services;
  private final List<Slo> slos;

  private SystemModel(String name, List<ServiceSpec> services, List<Slo> slos) {
    this.name = name;
    this.services = List.copyOf(services);
    this.slos = List.copyOf(slos);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /**
   * The services in start order: every service after the services it depends on; at each step the
   * first declared service whose dependencies are all placed.
   */
  public List<ServiceSpec> services() {
    return services;
  }

  /**
   * The system's SLOs, in declaration order: the runtime judges them with those of {@link
   * RuntimeOptions#slos()} (see {@link SystemRuntime#slos()}). Empty unless declared.
   */
  public List<Slo> slos() {
    return slos;
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
    private final List<Slo> slos = new ArrayList<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder service(ServiceSpec service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /** Adds an SLO the runtime judges on the system's metrics (see {@link SystemModel#slos()}). */
    public Builder slo(Slo slo) {
      slos.add(Objects.requireNonNull(slo, "slo"));
      return this;
    }

    /**
     * Validates the model and orders its services: repeatedly the first declared service whose
     * dependencies are all placed. Every service comes after the services it depends on, and a
     * service waits only for its own dependencies (a later declared service without dependencies
     * can come first); with no dependencies at all the order is the declaration order.
     *
     * @throws IllegalArgumentException naming a duplicate service or SLO, a dependency on an
     *     unknown service (both names) or a dependency cycle (its path, {@code a -> b -> a})
     */
    public SystemModel build() {
      Map<String, ServiceSpec> byName = new LinkedHashMap<>();
      for (ServiceSpec s : services) {
        if (byName.putIfAbsent(s.name(), s) != null) {
          throw new IllegalArgumentException(
              "system " + name + ": service " + s.name() + " is declared twice");
        }
      }
      Set<String> sloNames = new HashSet<>();
      for (Slo slo : slos) {
        if (!sloNames.add(slo.name())) {
          throw new IllegalArgumentException(
              "system " + name + ": SLO " + slo.name() + " is declared twice");
        }
      }
      for (ServiceSpec s : services) {
        for (String dependency : s.dependsOn()) {
          if (!byName.containsKey(dependency)) {
            throw new IllegalArgumentException(
                "system "
                    + name
                    + ": service "
                    + s.name()
                    + " depends on unknown service "
                    + dependency);
          }
        }
      }
      List<ServiceSpec> ordered = new ArrayList<>();
      Set<String> placed = new HashSet<>();
      while (ordered.size() < services.size()) {
        ServiceSpec next = firstReady(placed);
        placed.add(next.name());
        ordered.add(next);
      }
      return new SystemModel(name, ordered, slos);
    }

    /**
     * The first declared service not yet placed whose dependencies are all placed; when none is,
     * the unplaced services hold a cycle, reported with its path.
     */
    private ServiceSpec firstReady(Set<String> placed) {
      for (ServiceSpec s : services) {
        if (!placed.contains(s.name()) && placed.containsAll(s.dependsOn())) {
          return s;
        }
      }
      for (ServiceSpec s : services) {
        if (!placed.contains(s.name())) {
          findCycle(s, new ArrayList<>(), placed);
        }
      }
      throw new IllegalStateException("system " + name + ": no service can start");
    }

    private void findCycle(ServiceSpec s, List<String> path, Set<String> placed) {
      int at = path.indexOf(s.name());
      if (at >= 0) {
        List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
        cycle.add(s.name());
        throw new IllegalArgumentException(
            "system " + name + ": dependency cycle " + String.join(" -> ", cycle));
      }
      path.add(s.name());
      for (ServiceSpec candidate : services) {
        if (!placed.contains(candidate.name()) && s.dependsOn().contains(candidate.name())) {
          findCycle(candidate, path, placed);
        }
      }
      path.remove(path.size() - 1);
    }
  }
}
