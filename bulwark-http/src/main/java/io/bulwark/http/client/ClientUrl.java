package io.bulwark.http.client;

import io.bulwark.http.discovery.Endpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one endpoint of a client built for a URL ({@link HttpClients.Builder#client(String,
 * String)}): {@code http://host[:port]} or {@code https://host[:port]} and nothing else, since
 * every request brings its own path and query. Parsing names the client and the bad value.
 */
record ClientUrl(Endpoint endpoint, boolean tls) {

  /**
   * Parses {@code url} for client {@code client}.
   *
   * @throws IllegalArgumentException naming the client, the URL and what is wrong with it
   */
  static ClientUrl parse(String client, String url) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw bad(client, url, "is malformed: " + e.getReason() + " at index " + e.getIndex());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw bad(client, url, "has unsupported scheme \"" + scheme + "\" (expected http or https)");
    }
    String host = uri.getHost();
    if (host == null) {
      throw bad(client, url, "has no valid host[:port]");
    }
    if (uri.getRawUserInfo() != null) {
      throw bad(client, url, "must not carry user info");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw bad(
          client, url, "must not have a path, query or fragment: each request brings its own");
    }
    boolean tls = scheme.equals("https");
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    if (port < 1 || port > 65535) {
      throw bad(client, url, "has port " + port + " (expected 1..65535)");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new ClientUrl(Endpoint.of(host, port), tls);
  }

  private static IllegalArgumentException bad(String client, String url, String problem) {
    return new IllegalArgumentException(
        "client \""
            + client
            + "\": url \""
            + url
            + "\" "
            + problem
            + "; expected http://host[:port] or https://host[:port]");
  }
}
