package io.bulwark.chaos.experiment;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Makes one probe call and returns its HTTP status; blocking, called on a virtual thread. */
@FunctionalInterface
public interface ProbeCaller {

  /**
   * Calls {@code probe.url()} with {@code probe.timeout()}.
   *
   * @return the status
   * @throws IOException on an I/O error or timeout
   */
  int call(HttpProbe probe) throws IOException, InterruptedException;

  /** The JDK HTTP client (HTTP/1.1, no redirects). */
  static ProbeCaller jdk() {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return probe ->
        client
            .send(
                HttpRequest.newBuilder(probe.url()).timeout(probe.timeout()).GET().build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
  }
}
