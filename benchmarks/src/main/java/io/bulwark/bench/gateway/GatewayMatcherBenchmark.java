package io.bulwark.bench.gateway;

import io.bulwark.gateway.RouteConfig;
import io.bulwark.gateway.RouteMatch;
import io.bulwark.gateway.RouteMatch.PathKind;
import io.bulwark.gateway.internal.RequestView;
import io.bulwark.gateway.internal.RouteMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of choosing a route among 10,000: the gateway's compiled matcher against a linear scan
 * that tries every route's predicates in order (how Spring Cloud Gateway matches). The request hits
 * a route near the end of the table, a linear scan's worst case.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GatewayMatcherBenchmark {
  private static final int ROUTES = 10_000;

  private record Get() implements RequestView {
    @Override
    public String method() {
      return "GET";
    }

    @Override
    public @Nullable String header(String lowerName) {
      return null;
    }

    @Override
    public @Nullable String query(String name) {
      return null;
    }
  }

  private static final RequestView GET = new Get();
  private RouteMatcher compiled;
  private List<RouteConfig> routes;
  private List<Pattern> linearPatterns;
  private String templatePath;
  private String prefixPath;

  @Setup
  public void setUp() {
    routes = new ArrayList<>();
    linearPatterns = new ArrayList<>();
    for (int i = 0; i < ROUTES; i++) {
      RouteMatch m =
          switch (i % 3) {
            case 0 -> RouteMatch.path(PathKind.EXACT, "/svc" + i + "/health");
            case 1 -> RouteMatch.path(PathKind.TEMPLATE, "/svc" + i + "/items/{id}");
            default -> RouteMatch.path(PathKind.PREFIX, "/svc" + i);
          };
      routes.add(RouteConfig.to("r" + i, m, "c"));
      linearPatterns.add(Pattern.compile(regexOf(m)));
    }
    compiled = RouteMatcher.compile(routes);
    templatePath = "/svc" + (ROUTES - 2) + "/items/42";
    prefixPath = "/svc" + (ROUTES - 1) + "/a/b";
  }

  private static String regexOf(RouteMatch m) {
    return switch (m.pathKind()) {
      case EXACT -> Pattern.quote(m.path());
      case TEMPLATE -> m.path().replaceAll("\\{[^/]+\\}", "[^/]+");
      case PREFIX -> Pattern.quote(m.path()) + "(/.*)?";
      case REGEX -> m.path();
    };
  }

  @Benchmark
  public Object templateAt10k_bulwark() {
    return compiled.match("api.example.com", templatePath, GET);
  }

  @Benchmark
  public Object templateAt10k_linear() {
    return linear(templatePath);
  }

  @Benchmark
  public Object prefixAt10k_bulwark() {
    return compiled.match("api.example.com", prefixPath, GET);
  }

  @Benchmark
  public Object prefixAt10k_linear() {
    return linear(prefixPath);
  }

  private @Nullable RouteConfig linear(String path) {
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = routes.get(i);
      if (linearPatterns.get(i).matcher(path).matches()
          && (r.match().methods().isEmpty() || r.match().methods().contains(GET.method()))) {
        return r;
      }
    }
    return null;
  }
}
