package io.bulwark.http.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A response from a service: status, headers (lowercase names, first value), body, which endpoint
 * answered and over which protocol. Immutable.
 */
public final class ClientResponse {
  private final int status;
  private final Map<String, String> headers;
  private final byte[] body;
  private final String endpointId;
  private final String protocol;
  private final ObjectMapper mapper;

  public ClientResponse(
      int status,
      Map<String, String> headers,
      byte[] body,
      String endpointId,
      String protocol,
      ObjectMapper mapper) {
    this.status = status;
    this.headers = Map.copyOf(headers);
    this.body = body;
    this.endpointId = endpointId;
    this.protocol = protocol;
    this.mapper = mapper;
  }

  public int status() {
    return status;
  }

  public @Nullable String header(String name) {
    return headers.get(name);
  }

  public Map<String, String> headers() {
    return headers;
  }

  public byte[] body() {
    return body;
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The body read as JSON.
   *
   * @throws IllegalStateException naming the endpoint if the body is not valid JSON for {@code
   *     type}
   */
  public <T> T json(Class<T> type) {
    try {
      return mapper.readValue(body, type);
    } catch (IOException e) {
      throw new IllegalStateException(
          "response from " + endpointId + " is not JSON for " + type.getSimpleName(), e);
    }
  }

  /** The id of the endpoint that answered. */
  public String endpointId() {
    return endpointId;
  }

  /** {@code HTTP_1_1} or {@code HTTP_2}. */
  public String protocol() {
    return protocol;
  }
}
