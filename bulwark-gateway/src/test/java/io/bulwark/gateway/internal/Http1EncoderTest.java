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
    EmbeddedChannel ch = new EmbeddedChannel(new Http1Connection.Encoder());
    ch.writeOutbound(
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.GET,
            "/x",
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
}
