package io.bulwark.http.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.json.jackson.HybridJacksonPool;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** The shared Jackson mapper and the JSON error body. */
public final class Json {
  /**
   * Handlers run on virtual threads, one per request: Jackson's default buffer pool keeps one
   * recycler per thread, so every request would allocate fresh buffers (about 16 KB, and the
   * largest cost of a small JSON answer in a profile). Vert.x's hybrid pool shares recyclers among
   * virtual threads and keeps the per-thread ones for platform threads (event loops).
   */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder().recyclerPool(HybridJacksonPool.getInstance()).build())
          .findAndAddModules()
          .build();

  private Json() {}

  /** {@code {"status":..,"error":..,"message":..,"correlationId":..}} without Jackson overhead. */
  public static byte[] errorBody(
      int status, String code, String message, @Nullable String correlationId) {
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    StringBuilder sb = new StringBuilder(96 + message.length());
    sb.append("{\"status\":").append(status).append(",\"error\":\"");
    sb.append(enc.quoteAsString(code)).append("\",\"message\":\"");
    sb.append(enc.quoteAsString(message)).append("\",\"correlationId\":");
    if (correlationId == null) {
      sb.append("null");
    } else {
      sb.append('"').append(enc.quoteAsString(correlationId)).append('"');
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }
}
