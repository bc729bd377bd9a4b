package io.bulwark.telemetry.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class JsonLogsTest {
  static final Logger LOG = LoggerFactory.getLogger(JsonLogsTest.class);
  final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void clear() {
    JsonCapture.LINES.clear();
  }

  JsonNode line(String message) throws Exception {
    for (String l : List.copyOf(JsonCapture.LINES)) {
      JsonNode node = json.readTree(l);
      if (message.equals(node.path("message").asText())) {
        return node;
      }
    }
    throw new AssertionError("no line with message " + message + " in " + JsonCapture.LINES);
  }

  @Test
  void idsTravelAcrossAVirtualThreadHopIntoJsonLines() throws Exception {
    TraceContext trace = TraceContext.newTrace(true);
    Context request = Context.root().withTrace(trace).withCorrelationId("order-42");
    request.run(
        () -> {
          LOG.info("received");
          Thread hop = Context.startVirtualThread(() -> LOG.info("charged on another thread"));
          try {
            hop.join(TimeUnit.SECONDS.toMillis(10));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    LOG.info("after the request");

    for (String message : List.of("received", "charged on another thread")) {
      JsonNode mdc = line(message).path("mdc");
      assertThat(mdc.path("trace_id").asText()).isEqualTo(trace.traceId());
      assertThat(mdc.path("span_id").asText()).isEqualTo(trace.spanId());
      assertThat(mdc.path("correlation_id").asText()).isEqualTo("order-42");
    }
    assertThat(line("charged on another thread").path("threadName").asText())
        .isNotEqualTo(line("received").path("threadName").asText());
    // nothing leaks past the request
    assertThat(line("after the request").path("mdc").has("trace_id")).isFalse();
  }

  @Test
  void ordinaryMdcEntriesAreKept() throws Exception {
    MDC.put("tenant", "acme");
    try {
      Context.root().withCorrelationId("c-1").run(() -> LOG.warn("with mdc"));
    } finally {
      MDC.remove("tenant");
    }
    JsonNode mdc = line("with mdc").path("mdc");
    assertThat(mdc.path("tenant").asText()).isEqualTo("acme");
    assertThat(mdc.path("correlation_id").asText()).isEqualTo("c-1");
    assertThat(line("with mdc").path("level").asText()).isEqualTo("WARN");
  }
}
