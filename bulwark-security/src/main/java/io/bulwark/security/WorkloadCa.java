package io.bulwark.security;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.core.time.Clock;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for one trust domain that issues each workload a short-lived X.509
 * certificate naming it by its {@link WorkloadIdentity} (a SPIFFE X.509 SVID): the root of mutual
 * TLS between services.
 *
 * <p>The CA's own key never leaves this object. Issued certificates are EC P-256, signed with
 * SHA-256/ECDSA, carry exactly one URI name (the identity) plus any host names asked for, are
 * usable for both TLS server and TLS client authentication, and start being valid one minute before
 * issue (clock skew between services). A certificate never outlives the CA.
 *
 * <pre>{@code
 * WorkloadCa ca = WorkloadCa.create("shop", Duration.ofDays(30));
 * WorkloadCertificate orders = ca.issue(WorkloadIdentity.of("shop", "orders"), Duration.ofHours(24));
 * orders.writePkcs12(dir.resolve("orders.p12"), password);
 * ca.writeCertificatePem(dir.resolve("ca.pem"));   // what every peer trusts
 * }</pre>
 */
public final class WorkloadCa {
  private static final Duration SKEW = Duration.ofMinutes(1);
  private static final String SIGNATURE = "SHA256withECDSA";

  private final String trustDomain;
  private final KeyPair keys;
  private final X509Certificate certificate;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  private WorkloadCa(String trustDomain, KeyPair keys, X509Certificate certificate, Clock clock) {
    this.trustDomain = trustDomain;
    this.keys = keys;
    this.certificate = certificate;
    this.clock = clock;
  }

  /** A new CA for {@code trustDomain}, valid for {@code validity} from now (system clock). */
  public static WorkloadCa create(String trustDomain, Duration validity) {
    return create(trustDomain, validity, Clock.system());
  }

  /**
   * A new CA for {@code trustDomain} (a SPIFFE trust domain: lowercase letters, digits, {@code .},
   * {@code -}, {@code _}), valid for {@code validity} from {@code clock}'s now.
   */
  public static WorkloadCa create(String trustDomain, Duration validity, Clock clock) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(validity, "validity");
    Objects.requireNonNull(clock, "clock");
    WorkloadIdentity.of(trustDomain, "ca"); // validates the trust domain, naming it
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("CA validity must be positive, was " + validity);
    }
    KeyPair keys = newKeys();
    Instant now = clock.instant();
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, trustDomain)
            .addRDN(BCStyle.CN, "Bulwark workload CA")
            .build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(new SecureRandom()),
                  Date.from(now.minus(SKEW)),
                  Date.from(now.plus(validity)),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(keys.getPublic()))
              .addExtension(
                  Extension.nameConstraints, // the CA can name workloads of its trust domain only
                  true,
                  new org.bouncycastle.asn1.x509.NameConstraints(
                      new org.bouncycastle.asn1.x509.GeneralSubtree[] {
                        new org.bouncycastle.asn1.x509.GeneralSubtree(
                            new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain))
                      },
                      null));
      return new WorkloadCa(trustDomain, keys, sign(b, keys), clock);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create the CA certificate: " + e.getMessage(), e);
    }
  }

  /** The trust domain whose workloads this CA names. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The CA certificate: what every workload trusts. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA certificate as PEM. */
  public String certificatePem() {
    return WorkloadCertificate.pem("CERTIFICATE", WorkloadCertificate.encoded(certificate));
  }

  /** Writes {@link #certificatePem()} to {@code file}. */
  public Path writeCertificatePem(Path file) throws IOException {
    Files.writeString(file, certificatePem(), StandardCharsets.US_ASCII);
    return file;
  }

  /** Writes the CA certificate as a PKCS#12 trust store (alias {@code ca}). */
  public Path writeTrustStore(Path file, String password) throws IOException {
    Objects.requireNonNull(password, "password");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", certificate);
      try (OutputStream out = Files.newOutputStream(file)) {
        store.store(out, password.toCharArray());
      }
      return file;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write the trust store " + file + ": " + e.getMessage(), e);
    }
  }

  /** Issues {@code identity} a certificate valid for {@code ttl}, with no host names. */
  public WorkloadCertificate issue(WorkloadIdentity identity, Duration ttl) {
    return issue(identity, ttl, List.of());
  }

  /**
   * Issues {@code identity} a certificate valid for {@code ttl} that also names {@code hosts} (DNS
   * names or IP literals), for clients that check a host name rather than the identity (curl,
   * browsers).
   *
   * @throws IllegalArgumentException if the identity is outside this CA's trust domain, the ttl is
   *     not positive or reaches past the CA's own expiry, or a host is neither a DNS name nor an IP
   *     literal
   */
  public WorkloadCertificate issue(WorkloadIdentity identity, Duration ttl, List<String> hosts) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(hosts, "hosts");
    if (!identity.trustDomain().equals(trustDomain)) {
      throw new IllegalArgumentException(
          "identity " + identity + " is outside this CA's trust domain '" + trustDomain + "'");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("certificate ttl must be positive, was " + ttl);
    }
    Instant now = clock.instant();
    Instant notAfter = now.plus(ttl);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      throw new IllegalArgumentException(
          "certificate ttl "
              + ttl
              + " for "
              + identity
              + " reaches past the CA's expiry "
              + certificate.getNotAfter().toInstant());
    }
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString()));
    for (String host : hosts) {
      names.add(hostName(host));
    }
    KeyPair leaf = newKeys();
    String cn = identity.path().substring(identity.path().lastIndexOf('/') + 1);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(random),
                  Date.from(now.minus(SKEW)),
                  Date.from(notAfter),
                  new X500NameBuilder(BCStyle.INSTANCE)
                      .addRDN(BCStyle.O, trustDomain)
                      .addRDN(BCStyle.CN, cn)
                      .build(),
                  leaf.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.subjectAlternativeName,
                  true,
                  new GeneralNames(names.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(leaf.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(certificate));
      return new WorkloadCertificate(identity, sign(b, keys), leaf.getPrivate(), certificate);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(
          "cannot issue a certificate for " + identity + ": " + e.getMessage(), e);
    }
  }

  private static GeneralName hostName(String host) {
    Objects.requireNonNull(host, "host");
    if (isIpLiteral(host)) {
      return new GeneralName(GeneralName.iPAddress, host);
    }
    if (!host.matches(
        "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")) {
      throw new IllegalArgumentException(
          "host '" + host + "' is neither a DNS name nor an IP address literal");
    }
    return new GeneralName(GeneralName.dNSName, host);
  }

  private static boolean isIpLiteral(String host) {
    boolean v4 = host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean v6 = host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return false;
    }
    try {
      InetAddress.getByName(host); // a literal: parsed, never looked up
      return true;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host '" + host + "' is not a valid IP address", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
      throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("no signer for " + SIGNATURE, e);
    }
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
    }
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).add(BigInteger.ONE); // positive, at most 16 bytes
  }

  /** Owner read/write only, where the file system supports POSIX permissions. */
  static FileAttribute<?>[] ownerOnly(Path file) {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        || file.getFileSystem() != FileSystems.getDefault()) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
    };
  }
}
