package io.bulwark.gateway.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Compares two answer bodies: as JSON trees without the ignored members (RFC 6901 pointers) when
 * both parse, byte for byte otherwise. Returns where they first differ, or null if they agree.
 */
final class JsonDiff {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_VALUE_CHARS = 80;

  private JsonDiff() {}

  static @Nullable String compare(byte[] primary, byte[] shadow, List<String> ignore) {
    JsonNode a = parse(primary);
    JsonNode b = parse(shadow);
    if (a == null || b == null) {
      if (Arrays.equals(primary, shadow)) {
        return null;
      }
      return "bodies differ (not both JSON): " + primary.length + " vs " + shadow.length + " bytes";
    }
    for (String p : ignore) {
      remove(a, p);
      remove(b, p);
    }
    return first("", a, b);
  }

  private static @Nullable JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static void remove(JsonNode root, String pointer) {
    JsonPointer p = JsonPointer.compile(pointer);
    JsonNode parent = root.at(p.head());
    String last = p.last().getMatchingProperty();
    if (parent instanceof ObjectNode o) {
      o.remove(last);
    } else if (parent instanceof ArrayNode arr) {
      int i = p.last().getMatchingIndex();
      if (i >= 0 && i < arr.size()) {
        arr.remove(i);
      }
    }
  }

  private static @Nullable String first(String at, JsonNode a, JsonNode b) {
    if (a.getNodeType() != b.getNodeType()) {
      return at(at) + ": " + show(a) + " vs " + show(b);
    }
    if (a instanceof ObjectNode oa && b instanceof ObjectNode ob) {
      for (Map.Entry<String, JsonNode> e : oa.properties()) {
        String child = at + "/" + escape(e.getKey());
        JsonNode other = ob.get(e.getKey());
        if (other == null) {
          return at(child) + ": only in the primary";
        }
        String d = first(child, e.getValue(), other);
        if (d != null) {
          return d;
        }
      }
      for (Map.Entry<String, JsonNode> e : ob.properties()) {
        String k = e.getKey();
        if (!oa.has(k)) {
          return at(at + "/" + escape(k)) + ": only in the shadow";
        }
      }
      return null;
    }
    if (a instanceof ArrayNode aa && b instanceof ArrayNode ab) {
      for (int i = 0; i < Math.min(aa.size(), ab.size()); i++) {
        String d = first(at + "/" + i, aa.get(i), ab.get(i));
        if (d != null) {
          return d;
        }
      }
      return aa.size() == ab.size()
          ? null
          : at(at) + ": " + aa.size() + " vs " + ab.size() + " elements";
    }
    return a.equals(b) ? null : at(at) + ": " + show(a) + " vs " + show(b);
  }

  private static String at(String pointer) {
    return pointer.isEmpty() ? "at the root" : "at " + pointer;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String show(JsonNode n) {
    String s = n.toString();
    return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS) + "…";
  }
}
