package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonDiffTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void equalJsonInAnotherMemberOrderAndSpacingMatches() {
    assertThat(
            JsonDiff.compare(
                b("{\"a\":1,\"b\":[1,2]}"), b("{ \"b\": [1, 2], \"a\": 1 }"), List.of()))
        .isNull();
  }

  @Test
  void namesTheFirstDifferenceByPointer() {
    assertThat(JsonDiff.compare(b("{\"a\":{\"b\":[1,2]}}"), b("{\"a\":{\"b\":[1,3]}}"), List.of()))
        .isEqualTo("at /a/b/1: 2 vs 3");
    assertThat(JsonDiff.compare(b("{\"a\":1}"), b("{\"a\":1,\"x/y\":2}"), List.of()))
        .isEqualTo("at /x~1y: only in the shadow");
    assertThat(JsonDiff.compare(b("{\"a\":1}"), b("{}"), List.of()))
        .isEqualTo("at /a: only in the primary");
    assertThat(JsonDiff.compare(b("[1]"), b("[1,2]"), List.of()))
        .isEqualTo("at the root: 1 vs 2 elements");
    assertThat(JsonDiff.compare(b("{\"a\":\"1\"}"), b("{\"a\":1}"), List.of()))
        .isEqualTo("at /a: \"1\" vs 1");
  }

  @Test
  void ignoredPointersAreRemovedFromBothSides() {
    String p =
        "{\"id\":1,\"time\":\"10:00\",\"items\":[{\"a/b\":1,\"n\":2}],\"meta\":{\"trace\":\"x\"}}";
    String s =
        "{\"id\":1,\"time\":\"10:01\",\"items\":[{\"a/b\":9,\"n\":2}],\"meta\":{\"trace\":\"y\"}}";
    assertThat(JsonDiff.compare(b(p), b(s), List.of("/time", "/items/0/a~1b", "/meta/trace")))
        .isNull();
    assertThat(JsonDiff.compare(b(p), b(s), List.of("/time", "/meta/trace")))
        .isEqualTo("at /items/0/a~1b: 1 vs 9");
    assertThat(JsonDiff.compare(b(p), b(s), List.of("/missing/member", "/items/7")))
        .isEqualTo("at /time: \"10:00\" vs \"10:01\"");
  }

  @Test
  void nonJsonBodiesAreComparedByBytes() {
    assertThat(JsonDiff.compare(b("hello"), b("hello"), List.of())).isNull();
    assertThat(JsonDiff.compare(b(""), b(""), List.of())).isNull();
    assertThat(JsonDiff.compare(b("hello"), b("{\"a\":1}"), List.of()))
        .isEqualTo("bodies differ (not both JSON): 5 vs 7 bytes");
  }
}
