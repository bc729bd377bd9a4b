package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.gateway.RouteConfig;
import io.bulwark.gateway.RouteMatch;
import io.bulwark.gateway.RouteMatch.PathKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class RouteMatcherTest {

  record Req(String method, Map<String, String> headers, Map<String, String> query)
      implements RequestView {
    @Override
    public @Nullable String header(String lowerName) {
      return headers.get(lowerName);
    }

    @Override
    public @Nullable String query(String name) {
      return query.get(name);
    }
  }

  static final Req GET = new Req("GET", Map.of(), Map.of());

  static RouteConfig route(String name, RouteMatch m) {
    return RouteConfig.to(name, m, "c");
  }

  static @Nullable String matched(RouteMatcher m, String host, String path, Req r) {
    RouteMatcher.Match match = m.match(host, path, r);
    return match == null ? null : match.route().name();
  }

  @Test
  void exactBeatsTemplateBeatsPrefixBeatsRegexWhateverTheFileOrder() {
    RouteMatcher m =
        RouteMatcher.compile(
            List.of(
                route("regex", RouteMatch.path(PathKind.REGEX, "/orders/.*")),
                route("prefix", RouteMatch.path(PathKind.PREFIX, "/orders")),
                route("template", RouteMatch.path(PathKind.TEMPLATE, "/orders/{id}")),
                route("exact", RouteMatch.path(PathKind.EXACT, "/orders/42"))));

    assertThat(matched(m, "h", "/orders/42", GET)).isEqualTo("exact");
    assertThat(matched(m, "h", "/orders/7", GET)).isEqualTo("template");
    assertThat(matched(m, "h", "/orders/7/items", GET)).isEqualTo("prefix");
    assertThat(matched(m, "h", "/orders", GET)).isEqualTo("prefix");
    assertThat(matched(m, "h", "/ordersx", GET)).isNull();
  }

  @Test
  void prefixesEndAtASegmentBoundaryAndTheLongestWins() {
    RouteMatcher m =
        RouteMatcher.compile(
            List.of(
                route("root", RouteMatch.path(PathKind.PREFIX, "/")),
                route("api", RouteMatch.path(PathKind.PREFIX, "/api/")),
                route("admin", RouteMatch.path(PathKind.PREFIX, "/api/admin"))));

    assertThat(matched(m, "h", "/api/administrator", GET)).isEqualTo("api");
    assertThat(matched(m, "h", "/api/admin/users", GET)).isEqualTo("admin");
    assertThat(matched(m, "h", "/apix", GET)).isEqualTo("root");
    assertThat(matched(m, "h", "/", GET)).isEqualTo("root");
  }

  @Test
  void templatesCaptureSegmentsAndPreferLiteralSegments() {
    RouteMatcher m =
        RouteMatcher.compile(
            List.of(
                route("any", RouteMatch.path(PathKind.TEMPLATE, "/{a}/b")),
                route("lit", RouteMatch.path(PathKind.TEMPLATE, "/a/{x}"))));

    RouteMatcher.Match match = m.match("h", "/a/b", GET);
    assertThat(match).isNotNull();
    assertThat(match.route().name()).isEqualTo("lit");
    assertThat(match.params()).containsExactly(Map.entry("x", "b"));
    assertThat(m.match("h", "/z/b", GET).params()).containsExactly(Map.entry("a", "z"));
    assertThat(matched(m, "h", "//b", GET)).as("a {param} never matches an empty segment").isNull();
  }

  @Test
  void predicatesFallThroughToTheNextRouteAndThenToTheNextTier() {
    RouteMatch api = RouteMatch.path(PathKind.PREFIX, "/api");
    RouteMatcher m =
        RouteMatcher.compile(
            List.of(
                route("canary", api.hosts("shop.example.com").header("x-canary", "1")),
                route("post", api.hosts("shop.example.com").methods("POST")),
                route("debug", api.hosts("*.example.com").query("debug", "on")),
                route("fallback", api)));

    assertThat(
            matched(
                m,
                "SHOP.example.com:8443",
                "/api",
                new Req("GET", Map.of("x-canary", "1"), Map.of())))
        .isEqualTo("canary");
    assertThat(matched(m, "shop.example.com", "/api", new Req("POST", Map.of(), Map.of())))
        .isEqualTo("post");
    assertThat(
            matched(m, "shop.example.com", "/api", new Req("GET", Map.of(), Map.of("debug", "on"))))
        .isEqualTo("debug");
    assertThat(matched(m, "example.com", "/api", new Req("GET", Map.of(), Map.of("debug", "on"))))
        .as("a wildcard needs a label before the suffix")
        .isEqualTo("fallback");
    assertThat(matched(m, "shop.example.com", "/api", GET)).isEqualTo("fallback");
  }

  @Test
  void agreesWithALinearReferenceOnRandomTables() {
    Random random = new Random(16);
    for (int table = 0; table < 200; table++) {
      List<RouteConfig> routes = randomRoutes(random, 1 + random.nextInt(40));
      RouteMatcher compiled = RouteMatcher.compile(routes);
      for (int q = 0; q < 200; q++) {
        String host = pick(random, "a.x.io", "b.x.io", "x.io", "c.b.x.io", "other");
        String path = randomPath(random);
        Req req =
            new Req(
                pick(random, "GET", "POST"),
                random.nextBoolean() ? Map.of("x-v", "1") : Map.of(),
                random.nextBoolean() ? Map.of("q", "1") : Map.of());
        assertThat(matched(compiled, host, path, req))
            .as("table %d, %s %s%s", table, host, path, req)
            .isEqualTo(reference(routes, host, path, req));
      }
    }
  }

  @Test
  void tenThousandRoutesEachFindTheirOwnRequest() {
    List<RouteConfig> routes = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      RouteMatch m =
          switch (i % 4) {
            case 0 -> RouteMatch.path(PathKind.EXACT, "/svc" + i + "/health");
            case 1 -> RouteMatch.path(PathKind.TEMPLATE, "/svc" + i + "/items/{id}");
            case 2 -> RouteMatch.path(PathKind.PREFIX, "/svc" + i).hosts("h" + i + ".example.com");
            default -> RouteMatch.path(PathKind.PREFIX, "/svc" + i).methods("PUT");
          };
      routes.add(route("r" + i, m));
    }
    RouteMatcher compiled = RouteMatcher.compile(routes);
    assertThat(compiled.size()).isEqualTo(10_000);
    for (int i = 0; i < 10_000; i++) {
      String expected = "r" + i;
      switch (i % 4) {
        case 0 ->
            assertThat(matched(compiled, "any", "/svc" + i + "/health", GET)).isEqualTo(expected);
        case 1 ->
            assertThat(matched(compiled, "any", "/svc" + i + "/items/9", GET)).isEqualTo(expected);
        case 2 -> {
          assertThat(matched(compiled, "h" + i + ".example.com", "/svc" + i + "/x", GET))
              .isEqualTo(expected);
          assertThat(matched(compiled, "h" + (i + 4) + ".example.com", "/svc" + i + "/x", GET))
              .isNull();
        }
        default -> {
          assertThat(
                  matched(compiled, "any", "/svc" + i + "/x", new Req("PUT", Map.of(), Map.of())))
              .isEqualTo(expected);
          assertThat(matched(compiled, "any", "/svc" + i + "/x", GET)).isNull();
        }
      }
    }
  }

  // --- the linear reference: every route checked, the best by (host tier, path class, index)

  static @Nullable String reference(List<RouteConfig> routes, String host, String path, Req req) {
    String h = RouteMatcher.normalizeHost(host);
    record Cand(RouteConfig r, int i, long tier, int cls, String sub) {}
    List<Cand> cands = new ArrayList<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = routes.get(i);
      RouteMatch m = r.match();
      long tier = hostTier(m.hosts(), h);
      if (tier < 0 || !pathMatches(m, path) || !predicates(m, req)) {
        continue;
      }
      cands.add(new Cand(r, i, tier, classRank(m.pathKind()), subKey(m)));
    }
    return cands.stream()
        .min(
            Comparator.comparingLong(Cand::tier)
                .thenComparingInt(Cand::cls)
                .thenComparing(Cand::sub)
                .thenComparingInt(Cand::i))
        .map(c -> c.r().name())
        .orElse(null);
  }

  static long hostTier(List<String> hosts, String h) {
    if (hosts.isEmpty()) {
      return 1_000_000;
    }
    long best = -1;
    for (String x : hosts) {
      long t = -1;
      if (x.equals(h)) {
        t = 0;
      } else if (x.startsWith("*.") && h.endsWith(x.substring(1)) && h.length() > x.length() - 1) {
        t = 1000L - x.length();
      }
      if (t >= 0 && (best < 0 || t < best)) {
        best = t;
      }
    }
    return best;
  }

  static boolean pathMatches(RouteMatch m, String path) {
    return switch (m.pathKind()) {
      case EXACT -> m.path().equals(path);
      case REGEX -> Pattern.compile(m.path()).matcher(path).matches();
      case PREFIX -> {
        String p = m.path().endsWith("/") ? m.path().substring(0, m.path().length() - 1) : m.path();
        yield path.equals(p) || path.startsWith(p + "/");
      }
      case TEMPLATE -> {
        String[] t = RouteMatcher.segments(m.path());
        String[] s = RouteMatcher.segments(path);
        if (t.length != s.length) {
          yield false;
        }
        for (int i = 0; i < t.length; i++) {
          boolean ok = t[i].startsWith("{") ? !s[i].isEmpty() : t[i].equals(s[i]);
          if (!ok) {
            yield false;
          }
        }
        yield true;
      }
    };
  }

  static int classRank(PathKind kind) {
    return switch (kind) {
      case EXACT -> 0;
      case TEMPLATE -> 1;
      case PREFIX -> 2;
      case REGEX -> 3;
    };
  }

  static String subKey(RouteMatch m) {
    return switch (m.pathKind()) {
      case TEMPLATE -> {
        StringBuilder b = new StringBuilder();
        for (String s : RouteMatcher.segments(m.path())) {
          b.append(s.startsWith("{") ? '1' : '0');
        }
        yield b.toString();
      }
      case PREFIX -> String.format("%05d", 99_999 - RouteMatcher.prefixSegments(m.path()).length);
      default -> "";
    };
  }

  static boolean predicates(RouteMatch m, Req r) {
    return (m.methods().isEmpty() || m.methods().contains(r.method()))
        && m.headers().entrySet().stream().allMatch(e -> e.getValue().equals(r.header(e.getKey())))
        && m.query().entrySet().stream().allMatch(e -> e.getValue().equals(r.query(e.getKey())));
  }

  static List<RouteConfig> randomRoutes(Random random, int n) {
    List<RouteConfig> routes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PathKind kind =
          pick(random, PathKind.EXACT, PathKind.PREFIX, PathKind.TEMPLATE, PathKind.REGEX);
      String path =
          switch (kind) {
            case EXACT -> randomPath(random);
            case PREFIX -> random.nextInt(5) == 0 ? "/" : randomPath(random);
            case TEMPLATE -> randomPath(random).replaceAll("/[bc](?=/|$)", "/{p" + i + "}");
            case REGEX -> pick(random, "/a/.*", "/b.*", ".*c", "/a/b/?");
          };
      if (kind == PathKind.TEMPLATE) {
        path = dedupeNames(path);
      }
      RouteMatch m = RouteMatch.path(kind, path);
      switch (random.nextInt(4)) {
        case 0 -> m = m.hosts(pick(random, "a.x.io", "*.x.io", "*.b.x.io", "x.io"));
        case 1 -> m = m.methods(pick(random, "GET", "POST"));
        case 2 -> m = m.header("X-V", "1");
        default -> {
          if (random.nextBoolean()) {
            m = m.query("q", "1");
          }
        }
      }
      routes.add(route("r" + i, m));
    }
    return routes;
  }

  static String dedupeNames(String path) {
    StringBuilder b = new StringBuilder();
    int k = 0;
    for (String s : RouteMatcher.segments(path)) {
      b.append('/').append(s.startsWith("{") ? "{v" + k++ + "}" : s);
    }
    return b.toString();
  }

  static String randomPath(Random random) {
    int n = 1 + random.nextInt(3);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append('/').append(pick(random, "a", "b", "c", "ab"));
    }
    if (random.nextInt(6) == 0) {
      b.append('/');
    }
    return b.toString();
  }

  @SafeVarargs
  static <T> T pick(Random random, T... options) {
    return options[random.nextInt(options.length)];
  }
}
