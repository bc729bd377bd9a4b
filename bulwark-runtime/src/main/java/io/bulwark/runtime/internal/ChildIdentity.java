package io.bulwark.runtime.internal;

import io.bulwark.http.AuthorizationPolicy;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.runtime.ServiceSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * A child JVM's share of the workload identities, passed in its properties: its own key store, the
 * CA, which services are under mutual TLS and, for a protected service, its authorization policy
 * (with the runtime's rule), one rule per property group.
 */
final class ChildIdentity {
  private static final String SEP = "\n";

  private ChildIdentity() {}

  static void describe(Properties p, Identities ids, ServiceSpec spec, Identities.Issued own) {
    p.setProperty("identity.keyStore", own.keyStore().toAbsolutePath().toString());
    p.setProperty("identity.keyPassword", own.password());
    p.setProperty("identity.trustStore", ids.trustStore().toAbsolutePath().toString());
    p.setProperty("identity.trustPassword", ids.trustPassword());
    p.setProperty("identity.caPem", ids.caPem().toAbsolutePath().toString());
    p.setProperty("identity.trustDomain", ids.trustDomain());
    p.setProperty("identity.protected", String.join(",", ids.protectedServices()));
    AuthorizationPolicy policy = ids.policy(spec.name());
    if (policy == null) {
      return;
    }
    List<AuthorizationPolicy.Rule> rules = policy.rules();
    for (int i = 0; i < rules.size(); i++) {
      AuthorizationPolicy.Rule r = rules.get(i);
      p.setProperty("identity.rule." + i + ".name", r.name());
      p.setProperty("identity.rule." + i + ".routes", String.join(SEP, r.routes()));
      p.setProperty("identity.rule." + i + ".methods", String.join(SEP, r.methods()));
      p.setProperty("identity.rule." + i + ".peers", String.join(SEP, r.peers()));
    }
  }

  /** {@code b} under mutual TLS if this child's service is protected; else {@code b}. */
  static ServerConfig.Builder secure(Properties p, ServerConfig.Builder b) {
    if (p.getProperty("identity.rule.0.name") == null) {
      return b;
    }
    AuthorizationPolicy.Builder policy = AuthorizationPolicy.builder();
    for (int i = 0; p.getProperty("identity.rule." + i + ".name") != null; i++) {
      String prefix = "identity.rule." + i + ".";
      policy.allow(
          p.getProperty(prefix + "name"),
          list(p.getProperty(prefix + "routes")),
          list(p.getProperty(prefix + "methods")),
          list(p.getProperty(prefix + "peers")));
    }
    String password = ChildMain.get(p, "identity.keyPassword");
    return b.tls(Path.of(ChildMain.get(p, "identity.keyStore")), password)
        .clientCa(Path.of(ChildMain.get(p, "identity.caPem")))
        .authorization(policy.build());
  }

  /** {@code config} with this child's identity for a protected {@code target}; else unchanged. */
  static ClientConfig withIdentity(Properties p, String target, ClientConfig config) {
    String own = p.getProperty("identity.keyStore");
    if (own == null) {
      return config;
    }
    boolean protectedTarget =
        Arrays.asList(p.getProperty("identity.protected", "").split(",", -1)).contains(target);
    return Identities.withIdentity(
        config,
        target,
        new Identities.Issued(Path.of(own), ChildMain.get(p, "identity.keyPassword")),
        Path.of(ChildMain.get(p, "identity.trustStore")),
        ChildMain.get(p, "identity.trustPassword"),
        ChildMain.get(p, "identity.trustDomain"),
        protectedTarget);
  }

  private static List<String> list(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(SEP, -1));
  }
}
