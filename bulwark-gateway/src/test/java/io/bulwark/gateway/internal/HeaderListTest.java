package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderListTest {
  static List<String> lines(HeaderList h) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < h.size(); i++) {
      out.add(h.nameAt(i) + ": " + h.valueAt(i));
    }
    return out;
  }

  @Test
  void namesMatchIgnoringCaseAndSetReplacesEveryValueWhereverItWas() {
    HeaderList h = new HeaderList(2);
    h.add("X-Twice", "1").add("other", "o").add(AsciiString.of("x-twice"), "2");
    assertThat(h.get("x-TWICE")).isEqualTo("1");
    assertThat(h.getAll("X-twice")).containsExactly("1", "2");
    h.set("x-twice", "3");
    assertThat(lines(h)).containsExactly("other: o", "x-twice: 3");
    h.remove("OTHER");
    assertThat(lines(h)).containsExactly("x-twice: 3");
    assertThat(h.contains("x-twice")).isTrue();
    assertThat(h.contains("x-twic")).isFalse(); // a prefix is another name
    assertThat(h.get("missing")).isNull();
    assertThat(h.getAll("missing")).isEmpty();
  }

  @Test
  void keepsHundredsOfHeadersInOrderPastItsFirstArray() {
    HeaderList h = new HeaderList(4);
    for (int i = 0; i < 500; i++) {
      h.add("x-h-" + i, Integer.toString(i));
    }
    assertThat(h.size()).isEqualTo(500);
    for (int i = 0; i < 500; i++) {
      assertThat(h.nameAt(i).toString()).isEqualTo("x-h-" + i);
      assertThat(h.get("X-H-" + i)).isEqualTo(Integer.toString(i));
    }
    h.remove("x-h-0");
    assertThat(h.nameAt(0).toString()).isEqualTo("x-h-1");
    assertThat(h.size()).isEqualTo(499);
  }

  @Test
  void findsATokenInACommaListAsTheCodecAsksForCloseAndChunked() {
    HeaderList h = new HeaderList();
    h.add("Connection", "keep-alive ,  Close").add("connection", "x-a");
    assertThat(h.containsValue("connection", "close", true)).isTrue();
    assertThat(h.containsValue("connection", "close", false)).isFalse(); // "Close"
    assertThat(h.containsValue("CONNECTION", "x-a", true)).isTrue();
    assertThat(h.containsValue("connection", "clos", true)).isFalse();
    assertThat(h.containsValue("connection", "keep-alive ,", true)).isFalse();
    assertThat(h.containsValue("te", "close", true)).isFalse();
    h.add("empty", ",,");
    assertThat(h.containsValue("empty", "", true)).isTrue();

    DefaultHttpResponse closing =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, h);
    assertThat(HttpUtil.isKeepAlive(closing)).isFalse();
    HeaderList chunked = new HeaderList();
    chunked.add("Transfer-Encoding", "gzip, Chunked");
    assertThat(
            HttpUtil.isTransferEncodingChunked(
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, chunked)))
        .isTrue();
  }

  @Test
  void isTheSameHeadsThroughTheVertxAndTheNettyView() {
    HeaderList h = new HeaderList();
    h.add("a", "1").add("b", "2").add("a", "3");
    MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(h);
    assertThat(copy.getAll("a")).containsExactly("1", "3");
    List<String> seen = new ArrayList<>();
    for (Map.Entry<String, String> e : h.entries()) {
      seen.add(e.getKey() + "=" + e.getValue());
    }
    assertThat(seen).containsExactly("a=1", "b=2", "a=3");
    List<String> chars = new ArrayList<>();
    h.iteratorCharSequence().forEachRemaining(e -> chars.add(e.getKey() + "=" + e.getValue()));
    assertThat(chars).isEqualTo(seen);
    HeaderList other = h.copy();
    other.set("a", "x");
    assertThat(h.getAll("a")).containsExactly("1", "3"); // a copy is its own
    assertThat(h.names()).containsExactly("a", "b");
  }

  @Test
  void aDecodedHeadRefusesALineWithoutANameAndTheProxysHeadLeavesItToTheEncoder() {
    assertThatThrownBy(() -> HeaderList.decoded(8).add("", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    HeaderList copy = HeaderList.decoded(2).copy();
    assertThatThrownBy(() -> copy.add("", "x")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new HeaderList().add("", "x").size()).isEqualTo(1); // refused when written
  }
}
