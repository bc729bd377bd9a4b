package io.bulwark.examples.shop.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;

/** The shop's one JSON mapper, and the JSON helpers of its HTTP calls. */
public final class Json {
  /** Thread-safe once configured; unknown properties are ignored (a newer peer may add fields). */
  public static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName(), e);
    }
  }

  public static <T> T read(String json, Class<T> type, String where) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          where + ": not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /** A POST of {@code body} as JSON to {@code path}. */
  public static ClientRequest post(String path, Object body) {
    return ClientRequest.of("POST", path).withJson(write(body));
  }

  /** The body of {@code response} as {@code type}, naming the call when it is not. */
  public static <T> T body(ClientResponse response, Class<T> type, String call) {
    return read(response.bodyAsString(), type, call);
  }
}
