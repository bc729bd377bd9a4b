package io.bulwark.runtime.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.resilience.CircuitBreaker;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver};
 * {@code .ci/run} installs them): every panel loads with no console error, a value on screen
 * changes as traffic flows, a fault started from the page appears in the API and the timeline,
 * hostile names are shown as text, and a screenshot of each panel is written to {@code
 * target/dashboard-screenshots/} (and to {@code -Dbulwark.dashboard.docImages=DIR} when given, for
 * docs/img). Skipped, saying why, only when no Chromium or driver can be found.
 */
class DashboardBrowserTest {
  static final List<String> VIEWS =
      List.of(
          "topology",
          "red",
          "breakers",
          "topics",
          "gateway",
          "sagas",
          "slos",
          "autoscaler",
          "faults",
          "timeline");
  static final String HOSTILE = "<img src=x onerror=\"window.__xss=1\">";

  @TempDir static Path root;
  static TestSystem system;
  static SystemScheduler scheduler;
  static Chaos chaos;
  static Dashboard dashboard;
  static WebDriver browser;
  static final AtomicBoolean loading = new AtomicBoolean(true);
  static Thread users;
  static io.bulwark.gateway.Gateway gateway;

  /** An edge gateway in front of the system's front service; {@code extra} adds routes. */
  static io.bulwark.gateway.GatewayConfig edge(int frontPort, String extra) {
    return io.bulwark.core.config.ConfigLoader.withEnv(java.util.Map.of())
        .parse(
            """
            listeners:
              public: {port: 0}
            admin: {enabled: false}
            clusters:
              front: {endpoints: ["127.0.0.1:%d"], egress-allow: [loopback]}
            routes:
              shop:
                match: {path-prefix: /call}
                cluster: front
                rate-limits:
                  whole-route: {key: route, permits: 3, period: 1h, burst: 3}
            %s
            """
                .formatted(frontPort, extra),
            "edge.yaml",
            io.bulwark.gateway.GatewayConfig::bind);
  }

  /** Five calls through the gateway's rate-limited route: three pass, two are refused. */
  static void callThroughTheGateway() throws Exception {
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        statuses.add(
            http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(
                                "http://127.0.0.1:" + gateway.port("public") + "/call"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode());
      }
      assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    }
  }

  static @org.jspecify.annotations.Nullable File find(String name, String... candidates) {
    for (String c : candidates) {
      File f = new File(c);
      if (f.canExecute()) {
        return f;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir :
          java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(File.pathSeparator))
              .splitAsStream(path)
              .toList()) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f;
        }
      }
    }
    return null;
  }

  @BeforeAll
  static void start() throws Exception {
    File chromium =
        find(
            "chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    File driver = find("chromedriver", "/usr/bin/chromedriver");
    Assumptions.assumeTrue(
        chromium != null && driver != null,
        "SKIPPED: no headless Chromium here (chromium: "
            + chromium
            + ", chromedriver: "
            + driver
            + "); install Debian's chromium and chromium-driver (.ci/run does)");
    system = TestSystem.start(root);
    int frontPort = system.runtime.instances("front").get(0).port();
    gateway = io.bulwark.gateway.Gateway.builder(edge(frontPort, "")).start();
    callThroughTheGateway();
    gateway.reload(
        edge(frontPort, "  legacy:\n    match: {path-prefix: /legacy}\n    cluster: front\n"));
    scheduler = SystemScheduler.create();
    chaos = Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build();
    dashboard =
        Dashboard.builder(system.runtime)
            .scheduler(scheduler)
            .tick(Duration.ofMillis(500))
            .topics(
                () ->
                    List.of(
                        new TopicLag("orders", 0, "shipping", 1_250, 1_180),
                        new TopicLag("orders", 1, "shipping", 990, 990),
                        new TopicLag("payments", 0, "ledger", 310, 120)))
            .slos(system.slos)
            .sagas("orders", "/sagas")
            .gateway("edge", gateway::stats)
            .build()
            .start();
    dashboard.attachChaos(chaos);
    dashboard.recordDecision("backend", "target-tracking", 2, 3, "concurrency 14 > target 10");
    dashboard.recordDecision("backend", "predictive", 3, 4, "forecast 180 req/s in 5 min");
    users = Thread.ofVirtual().name("dashboard-test-users").start(DashboardBrowserTest::load);

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  /** The users: calls through front (a few fail) until the test ends. */
  private static void load() {
    int i = 0;
    while (loading.get()) {
      try {
        system.calls(1, i % 10 == 0 ? "/callfail" : "/call");
        if (i++ % 10 == 0) {
          system.evaluate();
        }
        Thread.sleep(40); // pacing of the load, not a wait for a result
      } catch (IOException e) {
        // an instance killed from the page: the next call goes elsewhere
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    loading.set(false);
    if (users != null) {
      users.join(Duration.ofSeconds(10));
    }
    if (browser != null) {
      browser.quit();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (chaos != null) {
      chaos.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    if (system != null) {
      system.close();
    }
  }

  private static WebDriverWait waiting() {
    WebDriverWait w = new WebDriverWait(browser, Duration.ofSeconds(20));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  /** Clicks what {@code by} finds (found again if the page re-rendered it meanwhile). */
  private static void click(By by) {
    waiting()
        .until(
            d -> {
              d.findElement(by).click();
              return true;
            });
  }

  private static String text(By by) {
    return waiting().until(d -> d.findElement(by).getText());
  }

  private static void open(String view) {
    browser.get(dashboard.url() + "#" + view);
    waiting().until(d -> d.findElement(By.id("conn")).getText().equals("live"));
    waiting().until(d -> d.findElement(By.id("view-" + view)).isDisplayed());
  }

  private static List<String> consoleProblems() {
    List<String> out = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
        out.add(e.getLevel() + " " + e.getMessage());
      }
    }
    return out;
  }

  private static void screenshot(String name) throws IOException {
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Path dir = Path.of("target", "dashboard-screenshots");
    Files.createDirectories(dir);
    Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    String docs = System.getProperty("bulwark.dashboard.docImages");
    if (docs != null) {
      Files.createDirectories(Path.of(docs));
      Files.copy(
          shot, Path.of(docs, "dashboard-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  @Test
  void everyPanelLoadsWithoutConsoleErrorsAndShowsItsData() throws Exception {
    system.breaker(
        HOSTILE, CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, "failure rate 62% >= 50%");
    for (String view : VIEWS) {
      open(view);
      switch (view) {
        case "topology" ->
            waiting()
                .until(d -> !d.findElements(By.cssSelector("#topology-graph canvas")).isEmpty());
        case "red" -> {
          waiting().until(d -> d.findElements(By.cssSelector("#red-charts canvas")).size() >= 3);
          waiting().until(d -> !d.findElements(By.cssSelector("#route-chart canvas")).isEmpty());
        }
        case "breakers" ->
            waiting()
                .until(d -> d.findElement(By.id("breakers-table")).getText().contains(HOSTILE));
        case "topics" ->
            waiting().until(d -> d.findElement(By.id("topics-table")).getText().contains("ledger"));
        case "gateway" -> {
          waiting()
              .until(
                  d ->
                      d.findElement(By.id("gateway-reloads")).getText().contains("+ route legacy"));
          waiting()
              .until(d -> d.findElement(By.id("gateway-clusters")).getText().contains("healthy"));
          List<String> shop =
              waiting() // the table is rendered anew each tick: read the row in one go
                  .until(
                      d -> {
                        List<String> cells =
                            d
                                .findElements(
                                    By.xpath(
                                        "//table[@id='gateway-routes']//tr[td[2][text()='shop']]/td"))
                                .stream()
                                .map(org.openqa.selenium.WebElement::getText)
                                .toList();
                        return cells.size() >= 9 ? cells : null;
                      });
          // gateway, route, match, target, req/s, requests, errors, timeouts, refused
          assertThat(shop.subList(0, 4)).containsExactly("edge", "shop", "prefix /call", "front");
          assertThat(shop.subList(5, 9)).containsExactly("5", "0", "0", "2");
        }
        case "sagas" -> {
          waiting()
              .until(d -> d.findElement(By.id("sagas-table")).getText().contains("checkout-1"));
          browser
              .findElement(By.xpath("//table[@id='sagas-table']//td[text()='checkout-1']"))
              .click();
          waiting()
              .until(d -> d.findElement(By.id("saga-steps")).getText().contains("reserve-stock"));
        }
        case "slos" ->
            waiting()
                .until(
                    d ->
                        d.findElement(By.id("slos-table"))
                            .getText()
                            .contains("front-calls-backend"));
        case "autoscaler" ->
            waiting()
                .until(
                    d -> d.findElement(By.id("autoscaler-table")).getText().contains("predictive"));
        case "timeline" ->
            waiting()
                .until(
                    d ->
                        d.findElement(By.id("timeline-table"))
                            .getText()
                            .contains("target-tracking: 2 -> 3"));
        default -> {}
      }
      screenshot(view);
      assertThat(consoleProblems()).as("console of #" + view).isEmpty();
    }
    assertThat(js("return window.__xss === undefined")).isEqualTo(true);
  }

  @Test
  void aValueOnScreenChangesAsTrafficFlows() {
    open("topology");
    String first = text(By.id("rps-front"));
    waiting().until(d -> !d.findElement(By.id("rps-front")).getText().equals(first));
    waiting().until(d -> Double.parseDouble(d.findElement(By.id("rps-front")).getText()) > 0);
    assertThat(consoleProblems()).isEmpty();
  }

  @Test
  void thePerRouteChartRendersTheChosenRouteAndMovesAsTrafficFlows() throws Exception {
    open("red");
    waiting().until(d -> !d.findElements(By.cssSelector("#route-chart canvas")).isEmpty());
    waiting()
        .until(
            d ->
                d.findElements(By.cssSelector("#route-select option")).stream()
                    .anyMatch(o -> o.getText().equals("front GET /call")));
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("route-select")))
        .selectByValue("front GET /call");
    String chart = "echarts.getInstanceByDom(document.getElementById('route-chart')).getOption()";
    waiting().until(d -> js("return " + chart + ".title[0].text").equals("front GET /call"));
    long points = ((Number) js("return " + chart + ".series[0].data.length")).longValue();
    waiting() // a later tick adds a point with the calls the users made meanwhile
        .until(
            d -> ((Number) js("return " + chart + ".series[0].data.length")).longValue() > points);
    waiting()
        .until(
            d ->
                ((Number) js("const s = " + chart + ".series[0].data; return s[s.length - 1];"))
                        .doubleValue()
                    > 0);
    assertThat(js("return " + chart + ".series.map(s => s.name).join()"))
        .isEqualTo("req/s,errors %,mean ms");
    js("document.getElementById('route-select').scrollIntoView()");
    screenshot("red-routes");
    assertThat(consoleProblems()).isEmpty();
  }

  @Test
  void aFaultStartedFromThePageIsInTheApiAndTheTimelineAndItsNameStaysText() throws Exception {
    open("faults");
    browser.findElement(By.id("fault-status")).clear();
    browser.findElement(By.id("fault-status")).sendKeys("99");
    click(By.id("fault-start"));
    waiting().until(d -> d.findElement(By.id("fault-message")).getText().contains("fault.status"));
    // the refused request is the only console line (the browser logs every 4xx answer)
    String refused =
        "/api/faults - Failed to load resource: the server responded with a status of 400";
    assertThat(consoleProblems()).isNotEmpty().allMatch(l -> l.contains(refused));

    browser.findElement(By.id("fault-status")).clear();
    browser.findElement(By.id("fault-status")).sendKeys("503");
    browser.findElement(By.id("fault-service")).sendKeys("orders");
    browser.findElement(By.id("fault-experiment")).sendKeys(HOSTILE);
    click(By.id("fault-start"));
    waiting().until(d -> d.findElement(By.id("faults-table")).getText().contains(HOSTILE));
    screenshot("faults-active");

    JsonNode active = system.getJson(dashboard, "/api/faults").get("active");
    assertThat(active).hasSize(1);
    assertThat(active.get(0).get("experiment").asText()).isEqualTo(HOSTILE);
    String id = active.get(0).get("id").asText();
    assertThat(chaos.active()).extracting(a -> a.id()).containsExactly(id);

    open("timeline");
    waiting()
        .until(d -> d.findElement(By.id("timeline-table")).getText().contains(id + " started: "));
    assertThat(text(By.id("timeline-table"))).contains("fault start " + id);

    open("faults");
    waiting()
        .until(d -> !d.findElements(By.cssSelector("button[data-fault='" + id + "']")).isEmpty());
    click(By.cssSelector("button[data-fault='" + id + "']"));
    waiting().until(d -> chaos.active().isEmpty());
    assertThat(js("return window.__xss === undefined")).isEqualTo(true);
    assertThat(consoleProblems()).allMatch(l -> l.contains(refused));
  }

  @Test
  void anInstanceKilledFromThePageIsShownKilledThenRestarted() {
    open("topology");
    waiting()
        .until(
            d ->
                !d.findElements(
                        By.cssSelector("button[data-instance='backend-2'][data-action='kill']"))
                    .isEmpty());
    browser
        .findElement(By.cssSelector("button[data-instance='backend-2'][data-action='kill']"))
        .click();
    waiting().until(d -> d.findElement(By.id("instance-backend-2")).getText().contains("KILLED"));
    click(By.cssSelector("button[data-instance='backend-2'][data-action='restart']"));
    waiting().until(d -> d.findElement(By.id("instance-backend-2")).getText().contains("READY"));
    assertThat(system.runtime.instance("backend-2").state().name()).isEqualTo("READY");
    assertThat(consoleProblems()).isEmpty();
  }

  @Test
  void aPanelWithoutItsSourceSaysNotInThisSystem() {
    try (Dashboard bare = Dashboard.builder(system.runtime).scheduler(scheduler).build().start()) {
      browser.get(bare.url() + "#sagas");
      waiting().until(d -> d.findElement(By.id("conn")).getText().equals("live"));
      waiting()
          .until(
              d ->
                  d.findElement(By.cssSelector("#view-sagas .absent"))
                      .getText()
                      .equals("not in this system"));
      assertThat(browser.findElement(By.id("sagas-table")).isDisplayed()).isFalse();
      assertThat(consoleProblems()).isEmpty();
    }
  }
}
