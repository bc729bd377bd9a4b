package io.bulwark.saga.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.saga.RunEvent;
import io.bulwark.saga.RunSummary;
import io.bulwark.saga.RunView;
import io.bulwark.saga.StepView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders the visibility types as JSON trees: stored JSON texts (input, outputs, state) are
 * embedded as JSON, times as ISO-8601 instants, absent values as {@code null}. Independent of the
 * server's mapper (which need not know {@code java.time}).
 */
final class RunJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper mapper;

  RunJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectNode runs(List<RunSummary> runs, int limit) {
    ObjectNode out = NODES.objectNode();
    ArrayNode list = out.putArray("runs");
    for (RunSummary s : runs) {
      ObjectNode n = list.addObject();
      n.put("runId", s.runId());
      n.put("workflow", s.workflow());
      n.put("version", s.version());
      n.put("status", s.status().name());
      n.put("cause", s.cause());
      n.put("createdAt", time(s.createdAt()));
      n.put("updatedAt", time(s.updatedAt()));
    }
    out.put("count", runs.size());
    out.put("limit", limit);
    return out;
  }

  ObjectNode run(RunView v) {
    ObjectNode n = NODES.objectNode();
    n.put("runId", v.runId());
    n.put("workflow", v.workflow());
    n.put("version", v.version());
    n.put("status", v.status().name());
    n.put("queue", v.queue());
    n.put("priority", v.priority());
    n.put("parentRunId", v.parentRunId());
    n.set("input", json(v.inputJson()));
    n.set("output", json(v.outputJson()));
    n.put("cause", v.cause());
    n.put("owner", v.owner());
    n.put("createdAt", time(v.createdAt()));
    n.put("updatedAt", time(v.updatedAt()));
    ObjectNode state = n.putObject("state");
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(v.state()).entrySet()) {
      state.set(e.getKey(), json(e.getValue()));
    }
    ArrayNode steps = n.putArray("steps");
    for (StepView s : v.steps()) {
      steps.add(step(s));
    }
    ArrayNode timeline = n.putArray("timeline");
    for (RunEvent e : v.timeline()) {
      ObjectNode t = timeline.addObject();
      t.put("at", time(e.at()));
      t.put("kind", e.kind());
      t.put("detail", e.detail());
    }
    return n;
  }

  private ObjectNode step(StepView s) {
    ObjectNode n = NODES.objectNode();
    n.put("index", s.index());
    n.put("name", s.name());
    n.put("kind", s.kind());
    n.put("status", s.status());
    n.set("output", json(s.outputJson()));
    n.put("error", s.error());
    n.put("attempts", s.attempts());
    n.put("compensationAttempts", s.compensationAttempts());
    n.put("nextAttemptAt", time(s.nextAttemptAt()));
    n.put("startedAt", time(s.startedAt()));
    n.put("endedAt", time(s.endedAt()));
    return n;
  }

  /**
   * A stored JSON text as a tree; a text that does not parse (it should not happen) is shown as a
   * string rather than hidden.
   */
  private JsonNode json(@Nullable String text) {
    if (text == null) {
      return NODES.nullNode();
    }
    try {
      return mapper.readTree(text);
    } catch (JacksonException e) {
      return NODES.textNode(text);
    }
  }

  private static @Nullable String time(@Nullable Instant at) {
    return at == null ? null : at.toString();
  }
}
