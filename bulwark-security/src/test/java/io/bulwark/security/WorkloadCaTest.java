package io.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.core.time.Clock;
import io.bulwark.test.VirtualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadCaTest {
  static final WorkloadIdentity ORDERS = WorkloadIdentity.of("shop", "orders");

  /** A clock whose wall time is {@code at} (it moves only when told). */
  static Clock at(Instant at) {
    return new VirtualClock(at);
  }

  @Test
  void anIssuedCertificateNamesItsWorkloadOnceAndChainsToTheCa() throws Exception {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    WorkloadCa ca = WorkloadCa.create("shop", Duration.ofDays(30), at(now));
    WorkloadCertificate c =
        ca.issue(ORDERS, Duration.ofHours(24), List.of("127.0.0.1", "orders.local"));
    assertThat(WorkloadIdentity.of(c.certificate())).isEqualTo(ORDERS);
    assertThat(c.notAfter()).isEqualTo(now.plus(Duration.ofHours(24)));
    assertThat(c.certificate().getNotBefore().toInstant()).isEqualTo(now.minusSeconds(60));
    assertThat(c.certificate().getExtendedKeyUsage())
        .contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"); // server and client auth
    assertThat(c.certificate().getBasicConstraints()).isEqualTo(-1); // not a CA
    validate(c, ca, now.plusSeconds(3600));
    assertThatThrownBy(() -> validate(c, ca, now.plus(Duration.ofHours(25))))
        .isInstanceOf(CertPathValidatorException.class); // expired
  }

  @Test
  void aCertificateFromAnotherCaOfTheSameTrustDomainDoesNotChain() throws Exception {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    WorkloadCa ca = WorkloadCa.create("shop", Duration.ofDays(30), at(now));
    WorkloadCa other = WorkloadCa.create("shop", Duration.ofDays(30), at(now));
    WorkloadCertificate c = other.issue(ORDERS, Duration.ofHours(1));
    assertThatThrownBy(() -> validate(c, ca, now)).isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void badRequestsAreRefusedNamingTheValue() {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    WorkloadCa ca = WorkloadCa.create("shop", Duration.ofDays(1), at(now));
    assertThatThrownBy(() -> ca.issue(WorkloadIdentity.of("bank", "orders"), Duration.ofHours(1)))
        .hasMessageContaining("spiffe://bank/orders is outside this CA's trust domain 'shop'");
    assertThatThrownBy(() -> ca.issue(ORDERS, Duration.ofDays(2)))
        .hasMessageContaining("reaches past the CA's expiry");
    assertThatThrownBy(() -> ca.issue(ORDERS, Duration.ZERO)).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> ca.issue(ORDERS, Duration.ofHours(1), List.of("bad host")))
        .hasMessageContaining("'bad host'");
    assertThatThrownBy(() -> ca.issue(ORDERS, Duration.ofHours(1), List.of("999.1.1.1")))
        .hasMessageContaining("999.1.1.1");
    assertThatThrownBy(() -> WorkloadCa.create("Shop", Duration.ofDays(1)))
        .hasMessageContaining("'Shop'");
    assertThatThrownBy(() -> WorkloadCa.create("shop", Duration.ofSeconds(-1)))
        .hasMessageContaining("PT-1S");
  }

  @Test
  void keyStoresAndPemFilesReadBack(@TempDir Path dir) throws Exception {
    WorkloadCa ca = WorkloadCa.create("shop", Duration.ofDays(1));
    WorkloadCertificate c = ca.issue(ORDERS, Duration.ofHours(1));
    c.writePkcs12(dir.resolve("orders.p12"), "pw");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(dir.resolve("orders.p12"))) {
      ks.load(in, "pw".toCharArray());
    }
    assertThat(ks.getCertificateChain("workload"))
        .containsExactly(c.certificate(), ca.certificate());
    assertThat(ks.getKey("workload", "pw".toCharArray())).isEqualTo(c.key());
    c.writePem(dir.resolve("orders.pem"), dir.resolve("orders.key"));
    try (var in = Files.newInputStream(dir.resolve("orders.pem"))) {
      assertThat(List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in)))
          .isEqualTo(List.of(c.certificate(), ca.certificate()));
    }
    assertThat(Files.readString(dir.resolve("orders.key")))
        .startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.getPosixFilePermissions(dir.resolve("orders.key")).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    ca.writeCertificatePem(dir.resolve("ca.pem"));
    try (var in = Files.newInputStream(dir.resolve("ca.pem"))) {
      assertThat(CertificateFactory.getInstance("X.509").generateCertificate(in))
          .isEqualTo(ca.certificate());
    }
  }

  private static void validate(WorkloadCertificate c, WorkloadCa ca, Instant when)
      throws Exception {
    PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
    p.setRevocationEnabled(false);
    p.setDate(Date.from(when));
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509")
                .generateCertPath(List.<X509Certificate>of(c.certificate())),
            p);
  }
}
