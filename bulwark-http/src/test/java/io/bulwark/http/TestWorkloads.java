package io.bulwark.http;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.security.WorkloadCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Workload-identity material for config tests: a real CA certificate in a PEM file. */
final class TestWorkloads {
  private static Path caPem;

  private TestWorkloads() {}

  /** A PEM file holding a workload CA's certificate (made once per test JVM). */
  static synchronized Path caPem() {
    if (caPem == null) {
      try {
        Path f = Files.createTempFile("workload-ca", ".pem");
        f.toFile().deleteOnExit();
        caPem = WorkloadCa.create("test", Duration.ofDays(1)).writeCertificatePem(f);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return caPem;
  }

  /** A policy that lets any verified workload call every route. */
  static AuthorizationPolicy anyWorkload() {
    return AuthorizationPolicy.builder()
        .allow("any", java.util.List.of("*"), java.util.List.of(), java.util.List.of("*"))
        .build();
  }

  static WorkloadIdentity orders() {
    return WorkloadIdentity.of("shop", "orders");
  }
}
