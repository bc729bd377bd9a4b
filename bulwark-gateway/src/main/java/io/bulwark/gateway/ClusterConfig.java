package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.health.HealthCheckConfig;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.lb.Balancing;
import io.bulwark.resilience.RetryBudgetConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An upstream cluster: where requests of its routes go, how they are balanced and when an endpoint
 * is taken out. Endpoints come either from a static list ({@code endpoints}) or from service
 * discovery ({@code service}, looked up in the {@code ServiceDiscovery} the gateway was given).
 *
 * <p>Egress guard: every endpoint address is resolved once, classified ({@link AddressClass}) and
 * refused unless it is public or its class is listed in {@code egress-allow}; the checked address
 * is the one connected to (pinned), so a DNS answer that changes later cannot move traffic to an
 * address that was never checked.
 *
 * <p>YAML keys: {@code endpoints}, {@code service}, {@code balancer}, {@code protocol}, {@code
 * pool-size}, {@code idle-timeout} (how long a pooled keep-alive connection may sit unused before
 * the gateway closes it; default 60 s, like NGINX's {@code keepalive_timeout}), {@code
 * connect-timeout}, {@code egress-allow}, {@code preserve-host}, {@code health-check}
 * (bulwark-http's keys), {@code outlier} (bulwark-http's keys), {@code retry-budget}
 * (bulwark-resilience's keys) and {@code tls} ({@link UpstreamTlsConfig}: TLS to the endpoints,
 * always verified, mutual with a client certificate).
 */
public record ClusterConfig(
    String name,
    List<Endpoint> endpoints,
    @Nullable String service,
    Balancing balancing,
    Protocol protocol,
    int poolSize,
    Duration idleTimeout,
    Duration connectTimeout,
    Set<AddressClass> egressAllow,
    boolean preserveHost,
    @Nullable HealthCheckConfig healthCheck,
    @Nullable OutlierConfig outlier,
    RetryBudgetConfig retryBudget,
    @Nullable UpstreamTlsConfig tls) {

  /** The protocol spoken to the upstream. */
  public enum Protocol {
    /** HTTP/1.1 with keep-alive. */
    HTTP1,
    /** HTTP/2 over cleartext with prior knowledge. */
    H2C,
    /** HTTP/2 over TLS, agreed with ALPN (needs {@code tls}). */
    H2
  }

  public ClusterConfig {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty() == (service == null)) {
      throw new IllegalArgumentException(
          "cluster \""
              + name
              + "\" needs exactly one of endpoints (a static list) or service (discovery)");
    }
    ListenerConfig.positive("pool-size", poolSize);
    ListenerConfig.positive("idle-timeout", idleTimeout);
    ListenerConfig.positive("connect-timeout", connectTimeout);
    if (egressAllow.contains(AddressClass.RESERVED)) {
      throw new IllegalArgumentException("egress-allow: reserved addresses can never be allowed");
    }
    egressAllow = egressAllow.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(egressAllow));
    if (protocol == Protocol.H2 && tls == null) {
      throw new IllegalArgumentException(
          "cluster \"" + name + "\": protocol h2 is HTTP/2 over TLS and needs tls");
    }
    if (protocol == Protocol.H2C && tls != null) {
      throw new IllegalArgumentException(
          "cluster \"" + name + "\": protocol h2c is cleartext; with tls use h2 (or http1)");
    }
    if (preserveHost && tls != null) {
      throw new IllegalArgumentException(
          "cluster \""
              + name
              + "\": preserve-host with tls is not supported (the host an upstream's certificate"
              + " is checked against would be the client's); set tls.server-name instead");
    }
  }

  /** A static cluster with defaults: round robin, HTTP/1.1, 64 connections, public egress only. */
  public static ClusterConfig of(String name, List<Endpoint> endpoints) {
    return new ClusterConfig(
        name,
        endpoints,
        null,
        Balancing.ROUND_ROBIN,
        Protocol.HTTP1,
        64,
        Duration.ofSeconds(60),
        Duration.ofSeconds(2),
        Set.of(),
        false,
        null,
        null,
        RetryBudgetConfig.builder().build(),
        null);
  }

  /** A copy that allows egress to {@code classes}. */
  public ClusterConfig allowing(AddressClass... classes) {
    return copy(protocol, Set.of(classes), tls);
  }

  /** A copy speaking {@code p} to the upstream. */
  public ClusterConfig withProtocol(Protocol p) {
    return copy(p, egressAllow, tls);
  }

  /** A copy that speaks TLS to the endpoints as {@code t} says (null: cleartext). */
  public ClusterConfig withTls(@Nullable UpstreamTlsConfig t) {
    return copy(protocol, egressAllow, t);
  }

  private ClusterConfig copy(Protocol p, Set<AddressClass> allow, @Nullable UpstreamTlsConfig t) {
    return new ClusterConfig(
        name,
        endpoints,
        service,
        balancing,
        p,
        poolSize,
        idleTimeout,
        connectTimeout,
        allow,
        preserveHost,
        healthCheck,
        outlier,
        retryBudget,
        t);
  }

  static ClusterConfig bind(String name, ConfigReader r) {
    ClusterConfig d = of(name, List.of(Endpoint.of("placeholder", 1)));
    List<Endpoint> endpoints = new ArrayList<>();
    @Nullable String[] service = {null};
    Balancing[] balancing = {d.balancing()};
    Protocol[] protocol = {d.protocol()};
    int[] pool = {d.poolSize()};
    Duration[] idle = {d.idleTimeout()};
    Duration[] connect = {d.connectTimeout()};
    Set<AddressClass> allow = EnumSet.noneOf(AddressClass.class);
    boolean[] preserveHost = {false};
    r.strings("endpoints", l -> l.forEach(s -> endpoints.add(Endpoint.parse(s))))
        .string("service", s -> service[0] = s)
        .enumValue("balancer", Balancing.class, v -> balancing[0] = v)
        .enumValue("protocol", Protocol.class, v -> protocol[0] = v)
        .integer("pool-size", v -> pool[0] = v)
        .duration("idle-timeout", v -> idle[0] = v)
        .duration("connect-timeout", v -> connect[0] = v)
        .strings("egress-allow", l -> l.forEach(s -> allow.add(addressClass(s))))
        .bool("preserve-host", v -> preserveHost[0] = v);
    HealthCheckConfig health = r.section("health-check", HealthCheckConfig::bind);
    OutlierConfig outlier = r.section("outlier", OutlierConfig::bind);
    RetryBudgetConfig budget = r.section("retry-budget", RetryBudgetConfig::bind);
    java.nio.file.Path base = ListenerConfig.baseDirectory(r);
    UpstreamTlsConfig tls =
        r.section(
            "tls",
            t -> {
              UpstreamTlsConfig u = UpstreamTlsConfig.bind(t, base);
              io.bulwark.gateway.internal.UpstreamTls.check(u); // files read and checked now
              return u;
            });
    return new ClusterConfig(
        name,
        endpoints,
        service[0],
        balancing[0],
        protocol[0],
        pool[0],
        idle[0],
        connect[0],
        allow,
        preserveHost[0],
        health,
        outlier,
        budget == null ? d.retryBudget() : budget,
        tls);
  }

  private static AddressClass addressClass(String text) {
    String wanted = text.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    for (AddressClass c : AddressClass.values()) {
      if (c.name().equals(wanted) && c != AddressClass.PUBLIC) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "expected one of loopback, private, link-local, metadata, unspecified, got \""
            + text
            + "\"");
  }
}
