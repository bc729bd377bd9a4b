package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.gateway.RouteConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The header-name table of the data path must classify exactly like the plain rule it replaces:
 * lower-case the name, then look it up in {@link Forwarding#HOP_BY_HOP} and {@link
 * Forwarding#FROM_TRUSTED_ONLY}, whatever the letter case an attacker sends.
 */
class HeaderNamesTest {
  private static String randomCase(String s, Random r) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return b.toString();
  }

  @Test
  void everyFlaggedNameIsFoundInAnyLetterCaseAndMapsToItsLowerCaseConstant() {
    Random r = new Random(16);
    Set<String> all = new HashSet<>(Forwarding.HOP_BY_HOP);
    all.addAll(Forwarding.FROM_TRUSTED_ONLY);
    for (String n : all) {
      for (int i = 0; i < 20; i++) {
        String sent = randomCase(n, r);
        int slot = HeaderNames.slot(sent);
        assertThat(slot).as(sent).isNotNegative();
        assertThat(HeaderNames.nameAt(slot)).isEqualTo(n);
        int flags = HeaderNames.flagsAt(slot);
        assertThat((flags & HeaderNames.HOP_BY_HOP) != 0)
            .as(sent)
            .isEqualTo(Forwarding.HOP_BY_HOP.contains(n));
        assertThat((flags & HeaderNames.TRUSTED_ONLY) != 0)
            .as(sent)
            .isEqualTo(Forwarding.FROM_TRUSTED_ONLY.contains(n));
      }
    }
  }

  @Test
  void unknownAndLookAlikeNamesAreNotClassifiedAndOnlyAsciiLettersFold() {
    for (String n :
        List.of(
            "x-custom",
            "connectio",
            "connectionx",
            "transfer-encodinG2",
            "hos",
            // U+212A KELVIN SIGN lower-cases to 'k' in Unicode: it must not match keep-alive
            "\u212Aeep-alive",
            // U+0130 (I with dot) folds to 'i' in some case mappings: not an ASCII letter
            "x-forwarded-\u0130p",
            "")) {
      assertThat(HeaderNames.slot(n)).as(n).isEqualTo(-1);
      assertThat(HeaderNames.canonical(n)).isEqualTo(n.toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void aKnownNameInAnyCaseIsTheSharedConstantAndAnUnknownOneIsLowerCased() {
    String constant = HeaderNames.canonical("content-type");
    assertThat(HeaderNames.canonical("Content-Type")).isSameAs(constant);
    assertThat(HeaderNames.canonical("CONTENT-TYPE")).isSameAs(constant);
    String lower = "x-already-lower";
    assertThat(HeaderNames.canonical(lower)).isSameAs(lower);
    assertThat(HeaderNames.canonical("X-Mixed-Case")).isEqualTo("x-mixed-case");
  }

  @Test
  void requestCopyDropsHopByHopConnectionNamedAndUntrustedForwardingHeadersInAnyCase() {
    MultiMap in = HttpHeaders.headers();
    in.add("Host", "example.test");
    in.add("TE", "trailers");
    in.add("Connection", "X-Secret, Keep-Alive");
    in.add("X-SECRET", "s");
    in.add("Keep-Alive", "timeout=5");
    in.add("X-Forwarded-For", "6.6.6.6");
    in.add("Bulwark-Criticality", "critical_plus");
    in.add("Content-Type", "text/plain");
    in.add("X-Kept", "k");
    MultiMap out = HttpHeaders.headers();
    Forwarding.requestHeaders(
        in, out, false, "10.0.0.9", "example.test", "http", RouteConfig.HeaderTransform.NONE);
    List<String> names = new ArrayList<>(out.names());
    assertThat(names)
        .containsExactlyInAnyOrder(
            "content-type",
            "x-kept",
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "forwarded");
    assertThat(out.get("x-forwarded-for")).isEqualTo("10.0.0.9");
    assertThat(out.get("content-type")).isEqualTo("text/plain");
  }

  @Test
  void namesListedInAnyOfSeveralConnectionHeadersAreDroppedWhereverTheyStand() {
    MultiMap in = HttpHeaders.headers();
    in.add("X-Before", "listed before the Connection header that names it");
    in.add("Connection", "keep-alive");
    in.add("X-Kept", "k");
    in.add("connection", " , X-BEFORE,x-after ,close");
    in.add("X-After", "a");
    in.add("X-Forwarded-For", "6.6.6.6"); // trusted peer below, but named in Connection
    in.add("Connection", "X-Forwarded-For");
    MultiMap out = HttpHeaders.headers();
    Forwarding.requestHeaders(
        in, out, true, "10.0.0.9", "example.test", "http", RouteConfig.HeaderTransform.NONE);
    assertThat(out.contains("x-before")).isFalse();
    assertThat(out.contains("x-after")).isFalse();
    assertThat(out.get("x-kept")).isEqualTo("k");
    // the hop's own X-Forwarded-For was dropped: the gateway's starts afresh
    assertThat(out.getAll("x-forwarded-for")).containsExactly("10.0.0.9");
  }

  @Test
  void responseCopyKeepsEndToEndHeadersInLowerCaseAndDropsHopByHopOnes() {
    MultiMap in = HttpHeaders.headers();
    in.add("Server", "nginx");
    in.add("Date", "Sat, 05 Dec 2026 09:00:00 GMT");
    in.add("Content-Length", "13");
    in.add("Connection", "keep-alive");
    in.add("Keep-Alive", "timeout=5");
    in.add("Set-Cookie", "a=1");
    in.add("Set-Cookie", "b=2");
    in.add("X-Upstream", "u");
    MultiMap out = HttpHeaders.headers();
    Forwarding.responseHeaders(in, out, RouteConfig.HeaderTransform.NONE);
    assertThat(new ArrayList<>(out.names()))
        .containsExactlyInAnyOrder("server", "date", "set-cookie", "x-upstream");
    assertThat(out.getAll("set-cookie")).containsExactly("a=1", "b=2");
  }
}
