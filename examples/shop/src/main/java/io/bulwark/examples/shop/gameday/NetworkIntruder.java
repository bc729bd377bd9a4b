package io.bulwark.examples.shop.gameday;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.security.WorkloadCa;
import io.bulwark.security.WorkloadCertificate;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The game day's intruder: code running inside the shop's network (a compromised host, a rogue
 * sidecar) that knows where payments listens and tries to charge it directly, without the checkout
 * saga. It tries two ways: plain HTTP, and TLS presenting a certificate for {@code
 * spiffe://<trust-domain>/orders} from a CA it made itself (it cannot have the shop's CA key). Each
 * try charges a new id ({@code intruder-...}). A try that gets no answer or a 4xx answer was
 * refused; a 2xx answer is a breach, and the step fails.
 */
public final class NetworkIntruder implements GameDayChaos.Intruder {
  private final Function<String, List<Endpoint>> endpoints;
  private final String trustDomain;
  private int tries;

  /**
   * @param endpoints the ready endpoints of a service (what an intruder could learn by scanning)
   * @param trustDomain the trust domain whose names the forged certificate uses
   */
  public NetworkIntruder(Function<String, List<Endpoint>> endpoints, String trustDomain) {
    this.endpoints = endpoints;
    this.trustDomain = trustDomain;
  }

  @Override
  public synchronized String tryToCharge(String service) {
    List<Endpoint> ready = endpoints.apply(service);
    if (ready.isEmpty()) {
      return "no instance of " + service + " was ready: nothing to attack";
    }
    Endpoint e = ready.getFirst();
    String where = e.host() + ":" + e.port();
    String plain = attempt(HttpClient.newBuilder(), "http://" + where);
    String forged;
    try {
      forged = attempt(HttpClient.newBuilder().sslContext(forgedTls()), "https://" + where);
    } catch (GeneralSecurityException | IOException ex) {
      throw new IllegalStateException("the intruder could not forge a certificate: " + ex, ex);
    }
    return "refused: plain HTTP " + plain + "; a forged " + forgedName() + " certificate " + forged;
  }

  private String forgedName() {
    return WorkloadIdentity.of(trustDomain, "orders").toString();
  }

  /** One charge try; "got no answer" or "got 4xx"; throws on a 2xx/3xx answer. */
  private String attempt(HttpClient.Builder client, String base) {
    tries++;
    String id = "intruder-" + tries;
    try (HttpClient http = client.connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/charges"))
                  .timeout(Duration.ofSeconds(3))
                  .header("content-type", "application/json")
                  .header("Idempotency-Key", id)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"chargeId\":\"" + id + "\",\"amount\":100000}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() < 400) {
        throw new IllegalStateException(
            "BREACH: " + base + " accepted the intruder's charge " + id + ": " + r.statusCode());
      }
      return "got " + r.statusCode();
    } catch (IOException ex) {
      return "got no answer";
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return "was interrupted";
    }
  }

  /** TLS with a certificate for the orders identity from the intruder's own CA; trusts anything. */
  private SSLContext forgedTls() throws GeneralSecurityException, IOException {
    WorkloadCa own = WorkloadCa.create(trustDomain, Duration.ofDays(1));
    WorkloadCertificate forged =
        own.issue(WorkloadIdentity.of(trustDomain, "orders"), Duration.ofHours(1));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] pw = "intruder".toCharArray();
    store.setKeyEntry("workload", forged.key(), pw, forged.chain().toArray(Certificate[]::new));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, pw);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys.getKeyManagers(), new TrustManager[] {new TrustAnything()}, null);
    return ctx;
  }

  /** The intruder does not care who the server is. */
  private static final class TrustAnything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
