package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own HTTP/1.1 upstream connections, against an upstream that writes its answers byte
 * by byte as scripted: keep-alive reuse, an upstream's {@code Connection: close}, informational
 * answers, HEAD answers without a body, and an answer cut short.
 */
class GatewayUpstreamPoolTest {
  /** One request as the raw upstream saw it: method, path, the gateway's client port. */
  record Hit(String method, String path, int port) {}

  static ServerSocket upstream;
  static final ConcurrentLinkedQueue<Hit> HITS = new ConcurrentLinkedQueue<>();
  static Gateway gateway;
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().start(GatewayUpstreamPoolTest::accept);
    gateway =
        Gateway.builder(
                GatewayProxyTest.parse(
                    """
                    listeners:
                      public: {port: 0}
                    clusters:
                      raw:
                        endpoints: [127.0.0.1:%d]
                        egress-allow: [loopback]
                        pool-size: 2
                    routes:
                      all:
                        match: {path-prefix: /}
                        cluster: raw
                    admin: {port: 0}
                    """
                        .formatted(upstream.getLocalPort())))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  static void accept() {
    while (!upstream.isClosed()) {
      try {
        Socket s = upstream.accept();
        Thread.ofPlatform().daemon().start(() -> serve(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Answers each request on the connection by its path, until the path says to close. */
  static void serve(Socket s) {
    try (s;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
      OutputStream out = s.getOutputStream();
      String line;
      while ((line = in.readLine()) != null) {
        int sp1 = line.indexOf(' ');
        int sp2 = line.indexOf(' ', sp1 + 1);
        String method = line.substring(0, sp1);
        String path = line.substring(sp1 + 1, sp2);
        String header = in.readLine();
        while (header != null && !header.isEmpty()) {
          header = in.readLine(); // none of the scripted requests has a body
        }
        HITS.add(new Hit(method, path, s.getPort()));
        String port = Integer.toString(s.getPort());
        switch (path) {
          case "/close" -> {
            write(
                out,
                "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: "
                    + port.length()
                    + "\r\n\r\n"
                    + port);
            return;
          }
          case "/continue" ->
              write(
                  out,
                  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: "
                      + port.length()
                      + "\r\n\r\n"
                      + port);
          case "/cut" -> {
            write(out, "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part");
            return; // 9 of 100 bytes, then the connection closes
          }
          default -> {
            // HEAD gets the same head and no body: the connection must stay in step
            String body = method.equals("HEAD") ? "" : port;
            write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + port.length() + "\r\n\r\n" + body);
          }
        }
      }
    } catch (IOException e) {
      // the gateway closed the connection
    }
  }

  static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  static HttpResponse<String> send(String method, String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sequentialRequestsRideOneKeptAliveConnectionAndHeadAnswersKeepItInStep() throws Exception {
    List<String> ports = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = send("GET", "/ka/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      ports.add(r.body());
      HttpResponse<String> head = send("HEAD", "/ka/head" + i);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
    }
    // one connection served all ten (a HEAD answer read as if it had a body would desync it)
    assertThat(ports).containsOnly(ports.getFirst());
  }

  @Test
  void anUpstreamsConnectionCloseIsHonouredAndTheNextRequestGetsAFreshConnection()
      throws Exception {
    String closedPort = send("GET", "/close").body();
    String next = send("GET", "/after-close").body();
    assertThat(next).isNotEqualTo(closedPort);
    assertThat(send("GET", "/after-close-2").body()).isEqualTo(next);
  }

  @Test
  void informationalAnswersAreNotForwardedAndTheFinalAnswerIs() throws Exception {
    HttpResponse<String> r = send("GET", "/continue");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).matches("\\d+");
    // the connection is still in step afterwards
    assertThat(send("GET", "/ka/after-continue").body()).isEqualTo(r.body());
  }

  @Test
  void anAnswerCutShortBreaksTheClientsAnswerAndTheGatewayKeepsServing() throws Exception {
    assertThatThrownBy(() -> send("GET", "/cut")).isInstanceOf(IOException.class);
    assertThat(send("GET", "/ka/after-cut").statusCode()).isEqualTo(200);
  }
}
