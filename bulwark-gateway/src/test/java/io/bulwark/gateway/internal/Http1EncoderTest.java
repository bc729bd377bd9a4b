package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http1EncoderTest {
  static String encode(MultiMap headers) {
    return encode(
        new EmbeddedChannel(new Http1Connection.Encoder()), HttpMethod.GET, "/x", headers);
  }

  /** Encodes one request on {@code ch} (one encoder: a connection's successive requests). */
  static String encode(EmbeddedChannel ch, HttpMethod method, String uri, MultiMap headers) {
    ch.writeOutbound(
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            method,
            uri,
            Unpooled.EMPTY_BUFFER,
            (HttpHeaders) headers,
            EmptyHttpHeaders.INSTANCE));
    StringBuilder out = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void writesTheHeadOfTheUnvalidatedMapTheProxyFills() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("host", "up:8080").add("x-a", "1");
    assertThat(encode(h)).isEqualTo("GET /x HTTP/1.1\r\nhost: up:8080\r\nx-a: 1\r\n\r\n");
  }

  @Test
  void aValueWithCrLfNeverLeavesAsAnInjectedHeader() {
    for (String bad : new String[] {"a\r\nx-injected: 1", "a\nb", "a\rb", "a\u0000b"}) {
      MultiMap h = MultiMap.caseInsensitiveMultiMap().add("x-claim", bad);
      assertThatThrownBy(() -> encode(h))
          .isInstanceOf(EncoderException.class)
          .hasMessageContaining("x-claim");
    }
  }

  @Test
  void aBadNameIsRefusedAndNonLatin1ValueCharactersGoOutAsQuestionMarks() {
    MultiMap spaced = MultiMap.caseInsensitiveMultiMap().add("x bad", "1");
    assertThatThrownBy(() -> encode(spaced)).isInstanceOf(EncoderException.class);
    // U+010A has 0x0A (LF) as its low byte: it must not reach the wire as a line break
    MultiMap wide = MultiMap.caseInsensitiveMultiMap().add("x-name", "a\u010Ab\u540D");
    assertThat(encode(wide)).contains("x-name: a?b?\r\n").doesNotContain("a\nb");
  }

  @Test
  void theRequestLineIsWrittenAsNettyWritesItWhateverTheTarget() {
    EmbeddedChannel e = new EmbeddedChannel(new Http1Connection.Encoder()); // one connection
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    assertThat(encode(e, HttpMethod.POST, "/a/b?q=1&r=%20", none))
        .isEqualTo("POST /a/b?q=1&r=%20 HTTP/1.1\r\n\r\n");
    assertThat(encode(e, HttpMethod.valueOf("PURGE"), "/", none))
        .isEqualTo("PURGE / HTTP/1.1\r\n\r\n");
    // not ASCII: UTF-8 through Netty's path, and the next request on the encoder is whole again
    assertThat(encode(e, HttpMethod.GET, "/caf\u00e9", none))
        .isEqualTo("GET /caf\u00c3\u00a9 HTTP/1.1\r\n\r\n");
    assertThat(encode(e, HttpMethod.GET, "/x", MultiMap.caseInsensitiveMultiMap().add("a", "1")))
        .isEqualTo("GET /x HTTP/1.1\r\na: 1\r\n\r\n");
    // not origin form: Netty's rules (an empty target becomes "/", an authority gets a path)
    assertThat(encode(e, HttpMethod.GET, "", none)).isEqualTo("GET / HTTP/1.1\r\n\r\n");
    assertThat(encode(e, HttpMethod.GET, "http://up:8080", none))
        .isEqualTo("GET http://up:8080/ HTTP/1.1\r\n\r\n");
  }

  @Test
  void aHeadLongerThanTheFirstBufferAndAHeadAfterARefusedOneAreWhole() {
    EmbeddedChannel e = new EmbeddedChannel(new Http1Connection.Encoder());
    String big = "v".repeat(3000);
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("x-big", big).add("x-after", "2");
    assertThat(encode(e, HttpMethod.GET, "/" + "p".repeat(700), h))
        .isEqualTo(
            "GET /" + "p".repeat(700) + " HTTP/1.1\r\nx-big: " + big + "\r\nx-after: 2\r\n\r\n");
    MultiMap bad = MultiMap.caseInsensitiveMultiMap().add("x-ok", "1").add("x-bad", "a\nb");
    assertThatThrownBy(() -> encode(e, HttpMethod.GET, "/", bad))
        .isInstanceOf(EncoderException.class);
    assertThat(encode(e, HttpMethod.GET, "/", MultiMap.caseInsensitiveMultiMap().add("y", "3")))
        .isEqualTo("GET / HTTP/1.1\r\ny: 3\r\n\r\n");
  }

  /** The gateway's own head list takes the same checks as any map. */
  @Test
  void theHeadListTheProxyFillsIsWrittenInOrderAndRefusedOnAnyForbiddenCharacter() {
    HeaderList h = new HeaderList(2);
    h.add("host", "up:8080").add("x-a", "1").add("x-a", "2");
    for (int i = 0; i < 40; i++) {
      h.add("x-n" + i, "v" + i);
    }
    StringBuilder expected =
        new StringBuilder("GET /x HTTP/1.1\r\nhost: up:8080\r\nx-a: 1\r\nx-a: 2\r\n");
    for (int i = 0; i < 40; i++) {
      expected.append("x-n").append(i).append(": v").append(i).append("\r\n");
    }
    assertThat(encode(h)).isEqualTo(expected.append("\r\n").toString());
    for (String bad : new String[] {"a\r\nx-injected: 1", "a\nb", "a\rb", "a\u0000b"}) {
      HeaderList injected = new HeaderList();
      injected.add("x-ok", "1").add("x-claim", bad);
      assertThatThrownBy(() -> encode(injected))
          .isInstanceOf(EncoderException.class)
          .hasMessageContaining("x-claim");
    }
    HeaderList badName = new HeaderList();
    badName.add("x bad", "1");
    assertThatThrownBy(() -> encode(badName)).isInstanceOf(EncoderException.class);
    HeaderList empty = new HeaderList();
    empty.add("", "1");
    assertThatThrownBy(() -> encode(empty)).isInstanceOf(EncoderException.class);
    HeaderList colon = new HeaderList();
    colon.add("x-a:b", "1");
    assertThatThrownBy(() -> encode(colon)).isInstanceOf(EncoderException.class);
  }
}
