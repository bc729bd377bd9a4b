package io.bulwark.runtime.internal;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.http.AuthorizationPolicy;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.security.WorkloadCa;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The workload identities of a system with services under mutual TLS: a CA for the trust domain
 * named after the system, a certificate for every instance ({@code spiffe://<system>/<service>},
 * issued when the instance starts) and one for the runtime itself ({@code
 * spiffe://<system>/bulwark-runtime}), whose probes, scrapes, chaos relay and dashboard calls reach
 * protected instances over TLS with it. Files live under {@code <storageRoot>/.identity}, keys
 * readable by their owner only; every key store has a password of its own, made at random, which
 * only its instance is given (the runtime's is given to no one). The trust store holds only the CA
 * certificate.
 *
 * <p>Children in process mode run as the same operating-system user as the runtime: the identities
 * separate workloads on the network, not code running as that user, which could read the files.
 */
public final class Identities {
  /** The runtime's own workload name. */
  public static final String RUNTIME = "bulwark-runtime";

  static final Duration CA_VALIDITY = Duration.ofDays(30);
  static final Duration CERTIFICATE_TTL = Duration.ofHours(24);

  /** An instance's key store and the password that opens it. */
  record Issued(Path keyStore, String password) {}

  private final String trustDomain;
  private final WorkloadCa ca;
  private final Path dir;
  private final String trustPassword;
  private final Path caPem;
  private final Path trustStore;
  private final Issued runtime;
  private final Map<String, AuthorizationPolicy> protectedServices;
  private final List<String> hosts;
  private final AtomicReference<java.net.http.@Nullable HttpClient> client =
      new AtomicReference<>();

  private Identities(
      SystemModel model, Path root, String host, Map<String, AuthorizationPolicy> protect) {
    this.trustDomain = model.name();
    Map<String, AuthorizationPolicy> effective = new TreeMap<>();
    protect.forEach((service, policy) -> effective.put(service, withRuntime(policy)));
    this.protectedServices = Map.copyOf(effective); // each policy with the runtime's rule
    this.hosts = host.equals("127.0.0.1") ? List.of("127.0.0.1", "localhost") : List.of(host);
    try {
      this.ca = WorkloadCa.create(trustDomain, CA_VALIDITY);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "system "
              + model.name()
              + ": its name is the trust domain of its workload identities: "
              + e.getMessage(),
          e);
    }
    this.trustPassword = secret();
    try {
      this.dir = Files.createDirectories(root.resolve(".identity"));
      this.caPem = ca.writeCertificatePem(dir.resolve("ca.pem"));
      this.trustStore = ca.writeTrustStore(dir.resolve("ca.p12"), trustPassword);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the workload identities under " + root, e);
    }
    this.runtime = issueAs(RUNTIME, RUNTIME);
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private static String secret() {
    byte[] secret = new byte[16];
    RANDOM.nextBytes(secret);
    return HexFormat.of().formatHex(secret);
  }

  /**
   * The identities of {@code model}, or null if none of its services is under mutual TLS (then
   * nothing is issued and every call stays plain HTTP).
   */
  public static @Nullable Identities of(SystemModel model, Path storageRoot, String host) {
    Map<String, AuthorizationPolicy> protect = new TreeMap<>();
    for (ServiceSpec s : model.services()) {
      AuthorizationPolicy p = s.mutualTls();
      if (p != null) {
        for (AuthorizationPolicy.Rule r : p.rules()) {
          if (r.name().equals(RUNTIME)) {
            throw new IllegalArgumentException(
                "service "
                    + s.name()
                    + ": the authorization rule name '"
                    + RUNTIME
                    + "' is the runtime's own; name the rule otherwise");
          }
        }
        protect.put(s.name(), p);
      }
    }
    return protect.isEmpty() ? null : new Identities(model, storageRoot, host, protect);
  }

  /** Whether {@code service} is served under mutual TLS. */
  public boolean protects(String service) {
    return protectedServices.containsKey(service);
  }

  /** The services under mutual TLS. */
  public Set<String> protectedServices() {
    return protectedServices.keySet();
  }

  /** {@code https} for a service under mutual TLS, else {@code http}. */
  public String scheme(String service) {
    return protects(service) ? "https" : "http";
  }

  /** The identity of {@code service}. */
  public WorkloadIdentity identity(String service) {
    return WorkloadIdentity.of(trustDomain, service);
  }

  String trustPassword() {
    return trustPassword;
  }

  Path caPem() {
    return caPem;
  }

  Path trustStore() {
    return trustStore;
  }

  /** The runtime's own key store (its password is given to no instance). */
  Issued runtime() {
    return runtime;
  }

  /**
   * Issues instance {@code instanceId} of {@code service} a new certificate, in a key store with a
   * new password.
   */
  Issued issue(String service, String instanceId) {
    if (service.equals(RUNTIME)) {
      throw new IllegalArgumentException(
          "service name '" + RUNTIME + "' is the runtime's own identity");
    }
    return issueAs(service, instanceId);
  }

  private Issued issueAs(String service, String file) {
    // never past the CA's own expiry: a system that runs for longer gets shorter certificates
    Duration left =
        Duration.between(java.time.Instant.now(), ca.certificate().getNotAfter().toInstant())
            .minusMinutes(1);
    Duration ttl = left.compareTo(CERTIFICATE_TTL) < 0 ? left : CERTIFICATE_TTL;
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalStateException(
          "the workload CA of system " + trustDomain + " has expired: restart the system");
    }
    String password = secret();
    try {
      Path keyStore =
          ca.issue(identity(service), ttl, hosts).writePkcs12(dir.resolve(file + ".p12"), password);
      return new Issued(keyStore, password);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the certificate of " + file, e);
    }
  }

  /**
   * {@code b} serving {@code service} under mutual TLS with {@code keyStore} (its policy plus the
   * runtime's rule), if the service is protected; else {@code b} unchanged.
   */
  ServerConfig.Builder secure(ServerConfig.Builder b, String service, Issued own) {
    AuthorizationPolicy policy = protectedServices.get(service);
    if (policy == null) {
      return b;
    }
    return b.tls(own.keyStore(), own.password()).clientCa(caPem).authorization(policy);
  }

  /** The policy {@code service} is served under (with the runtime's rule), or null. */
  @Nullable AuthorizationPolicy policy(String service) {
    return protectedServices.get(service);
  }

  /** The trust domain: the system's name. */
  String trustDomain() {
    return trustDomain;
  }

  /** {@code policy} plus a rule that lets the runtime call every route. */
  private AuthorizationPolicy withRuntime(AuthorizationPolicy policy) {
    return policy.toBuilder()
        .allow(
            RUNTIME,
            List.of("*"),
            List.of(),
            List.of(WorkloadIdentity.of(trustDomain, RUNTIME).toString()))
        .build();
  }

  /**
   * {@code config} for calls to {@code target} presenting {@code ownKeyStore}, trusting the CA and
   * requiring the target's identity, if the target is protected; else {@code config} unchanged.
   */
  ClientConfig withIdentity(ClientConfig config, String target, Issued own) {
    return withIdentity(
        config, target, own, trustStore, trustPassword, trustDomain, protects(target));
  }

  /** As above, from the parts (a child JVM has them as properties). */
  static ClientConfig withIdentity(
      ClientConfig config,
      String target,
      Issued own,
      Path trustStore,
      String trustPassword,
      String trustDomain,
      boolean targetProtected) {
    if (!targetProtected) {
      return config;
    }
    return config.toBuilder()
        .keyStore(own.keyStore(), own.password())
        .trustStore(trustStore, trustPassword)
        .serverIdentity(WorkloadIdentity.of(trustDomain, target))
        .build();
  }

  /**
   * The runtime's JDK HTTP client for protected instances: presents the runtime's certificate and
   * trusts the CA (host names checked against the instances' certificates).
   */
  public java.net.http.HttpClient jdkClient() {
    java.net.http.HttpClient c = client.get();
    if (c == null) {
      java.net.http.HttpClient fresh =
          java.net.http.HttpClient.newBuilder()
              .sslContext(sslContext())
              .connectTimeout(Duration.ofSeconds(2))
              .build();
      if (client.compareAndSet(null, fresh)) {
        return fresh;
      }
      fresh.close();
      c = java.util.Objects.requireNonNull(client.get());
    }
    return c;
  }

  /** TLS presenting the runtime's certificate and trusting the CA. */
  public SSLContext sslContext() {
    try {
      KeyStore own = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(runtime.keyStore())) {
        own.load(in, runtime.password().toCharArray());
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(own, runtime.password().toCharArray());
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(trustStore)) {
        trusted.load(in, trustPassword.toCharArray());
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the runtime's certificate: " + e, e);
    }
  }

  /** Closes the runtime's client. */
  void close() {
    java.net.http.HttpClient c = client.getAndSet(null);
    if (c != null) {
      c.close();
    }
  }
}
