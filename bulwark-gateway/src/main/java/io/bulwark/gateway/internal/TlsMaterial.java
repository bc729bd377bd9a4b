package io.bulwark.gateway.internal;

import io.bulwark.gateway.TlsConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The key material of a TLS listener, read from its files and checked before any handshake uses it:
 * the certificates parse, the private key parses and matches the leaf certificate (a signature made
 * with it verifies with the certificate's public key), and the leaf is valid now. The bytes checked
 * are the bytes served (no second read of the files). Errors name the file and never contain the
 * PKCS#12 password.
 */
final class TlsMaterial {
  final byte[] fingerprint;
  final KeyCertOptions options;
  final X509Certificate leaf;

  private TlsMaterial(byte[] fingerprint, KeyCertOptions options, X509Certificate leaf) {
    this.fingerprint = fingerprint;
    this.options = options;
    this.leaf = leaf;
  }

  /** The raw bytes of the key material files, to tell whether they changed. */
  static byte[] snapshot(TlsConfig tls) throws IOException {
    List<byte[]> parts = new ArrayList<>();
    for (Path p : files(tls)) {
      parts.add(Files.readAllBytes(p));
    }
    int n = parts.stream().mapToInt(b -> b.length + 1).sum();
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] b : parts) {
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length + 1;
    }
    return out;
  }

  private static List<Path> files(TlsConfig tls) {
    List<Path> out = new ArrayList<>();
    for (Path p : Arrays.asList(tls.certificate(), tls.key(), tls.pkcs12())) {
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /** Loads and checks; {@code env} resolves {@code password-env}. */
  static TlsMaterial load(TlsConfig tls, Function<String, @Nullable String> env, Instant now) {
    byte[] fingerprint;
    try {
      fingerprint = snapshot(tls);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read key material: " + e, e);
    }
    Path pkcs12 = tls.pkcs12();
    if (pkcs12 != null) {
      return pkcs12(tls, pkcs12, env, now, fingerprint);
    }
    Path certFile = java.util.Objects.requireNonNull(tls.certificate());
    Path keyFile = java.util.Objects.requireNonNull(tls.key());
    byte[] certBytes;
    byte[] keyBytes;
    try {
      certBytes = Files.readAllBytes(certFile);
      keyBytes = Files.readAllBytes(keyFile);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read key material: " + e, e);
    }
    List<X509Certificate> chain = certificates(certFile, certBytes);
    PrivateKey key = pemKey(keyFile, keyBytes);
    X509Certificate leaf = chain.get(0);
    check(leaf, key, certFile + " and " + keyFile, now);
    PemKeyCertOptions options =
        new PemKeyCertOptions()
            .addCertValue(Buffer.buffer(certBytes))
            .addKeyValue(Buffer.buffer(keyBytes));
    return new TlsMaterial(fingerprint, options, leaf);
  }

  private static TlsMaterial pkcs12(
      TlsConfig tls,
      Path file,
      Function<String, @Nullable String> env,
      Instant now,
      byte[] fingerprint) {
    String password = password(tls, env);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read key material: " + e, e);
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(bytes), password.toCharArray());
      Enumeration<String> aliases = store.aliases();
      while (aliases.hasMoreElements()) {
        String alias = aliases.nextElement();
        if (store.isKeyEntry(alias)
            && store.getKey(alias, password.toCharArray()) instanceof PrivateKey key
            && store.getCertificate(alias) instanceof X509Certificate leaf) {
          check(leaf, key, file.toString(), now);
          PfxOptions options =
              new PfxOptions().setValue(Buffer.buffer(bytes)).setPassword(password).setAlias(alias);
          return new TlsMaterial(fingerprint, options, leaf);
        }
      }
      throw new IllegalArgumentException(file + ": no private key entry with a certificate");
    } catch (IOException | GeneralSecurityException e) {
      // the message of a wrong password is "keystore password was incorrect"; never the password
      throw new IllegalArgumentException(
          file + ": cannot open the PKCS#12 key store: " + e.getMessage(), e);
    }
  }

  private static String password(TlsConfig tls, Function<String, @Nullable String> env) {
    String var = tls.passwordEnv();
    if (var != null) {
      String v = env.apply(var);
      if (v == null) {
        throw new IllegalArgumentException(
            "password-env: environment variable " + var + " is not set");
      }
      return v;
    }
    Path file = tls.passwordFile();
    if (file != null) {
      try {
        String v = Files.readString(file, StandardCharsets.UTF_8);
        return v.endsWith("\r\n")
            ? v.substring(0, v.length() - 2)
            : v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
      } catch (IOException e) {
        throw new IllegalArgumentException("password-file: cannot read " + file + ": " + e, e);
      }
    }
    return "";
  }

  static List<X509Certificate> certificates(Path file, byte[] bytes) {
    try {
      Collection<? extends Certificate> all =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : all) {
        if (c instanceof X509Certificate x) {
          chain.add(x);
        }
      }
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(file + ": no certificate in the file");
      }
      return chain;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          file + ": not a PEM certificate chain: " + e.getMessage(), e);
    }
  }

  private static PrivateKey pemKey(Path file, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf("-----END PRIVATE KEY-----");
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(
          file
              + ": expected a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----); convert with"
              + " openssl pkcs8 -topk8 -nocrypt");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": the private key is not valid base64", e);
    }
    for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(
        file + ": the private key is not an RSA, EC or EdDSA PKCS#8 key");
  }

  private static final Map<String, String> SIGNATURES =
      Map.of(
          "RSA", "SHA256withRSA",
          "EC", "SHA256withECDSA",
          "Ed25519", "Ed25519",
          "Ed448", "Ed448",
          "EdDSA", "Ed25519",
          "RSASSA-PSS", "RSASSA-PSS");

  private static void check(X509Certificate leaf, PrivateKey key, String where, Instant now) {
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw new IllegalArgumentException(
          where + ": the certificate " + subject(leaf) + " expired on " + leaf.getNotAfter());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      throw new IllegalArgumentException(
          where
              + ": the certificate "
              + subject(leaf)
              + " is not valid before "
              + leaf.getNotBefore());
    }
    String alg = SIGNATURES.get(key.getAlgorithm());
    if (alg == null || "RSASSA-PSS".equals(alg)) {
      if (!key.getAlgorithm().equals(leaf.getPublicKey().getAlgorithm())) {
        throw mismatch(where, leaf);
      }
      return;
    }
    try {
      byte[] probe = "bulwark-tls-key-check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(leaf.getPublicKey());
      v.update(probe);
      if (!v.verify(sig)) {
        throw mismatch(where, leaf);
      }
    } catch (GeneralSecurityException e) {
      throw mismatch(where, leaf);
    }
  }

  private static IllegalArgumentException mismatch(String where, X509Certificate leaf) {
    return new IllegalArgumentException(
        where + ": the private key does not match the certificate " + subject(leaf));
  }

  static String subject(X509Certificate c) {
    return "\"" + c.getSubjectX500Principal().getName() + "\"";
  }
}
