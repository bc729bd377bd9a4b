package io.bulwark.examples.shop.bff;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.ShopOptions;
import io.bulwark.examples.shop.gameday.GameDay;
import io.bulwark.examples.shop.gameday.GameDayChaos;
import io.bulwark.examples.shop.gameday.GameDayListener;
import io.bulwark.examples.shop.gameday.Scenario;
import io.bulwark.examples.shop.gameday.Scenarios;
import io.bulwark.examples.shop.gameday.Step;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.dashboard.Dashboard;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
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
 * The shop in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver};
 * {@code .ci/run} installs them), in one run: the storefront served by the web BFF walked as a
 * customer would (home → product → add to cart → cart → checkout → order CONFIRMED), then the game
 * day's "recommendations down" step run for real: the storefront's product page degrades to
 * "Popular items" with the partial notice, the runtime dashboard's timeline shows the fault, and
 * once the fault is cleared the page is whole again. Every wait is on a condition on the page;
 * screenshots go to {@code target/storefront-screenshots/} (and to {@code
 * -Dbulwark.shop.docImages=DIR} when given, for the README). Skipped, saying why, only when no
 * Chromium or driver can be found.
 */
class StorefrontBrowserTest {
  @TempDir static Path root;
  static @Nullable Shop shop;
  static @Nullable SystemScheduler scheduler;
  static @Nullable Chaos chaos;
  static @Nullable Dashboard dashboard;
  static @Nullable WebDriver browser;

  static @Nullable File find(String name, String... candidates) {
    for (String c : candidates) {
      File f = new File(c);
      if (f.canExecute()) {
        return f;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir :
          Pattern.compile(Pattern.quote(File.pathSeparator)).splitAsStream(path).toList()) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f;
        }
      }
    }
    return null;
  }

  @BeforeAll
  static void start() {
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
    shop = Shop.start(new ShopOptions(true, 11, root, 0), new RuntimeListener() {});
    scheduler = SystemScheduler.create();
    chaos = Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build();
    dashboard =
        Dashboard.builder(shop.runtime())
            .scheduler(scheduler)
            .tick(Duration.ofMillis(500))
            .sagas("orders", "/sagas")
            .build()
            .start();
    dashboard.attachChaos(chaos);

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

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    if (chaos != null) {
      chaos.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    if (shop != null) {
      shop.close();
    }
  }

  static WebDriver browser() {
    WebDriver b = browser;
    assertThat(b).isNotNull();
    return b;
  }

  static WebDriverWait waiting() {
    WebDriverWait w = new WebDriverWait(browser(), Duration.ofSeconds(30));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  static void click(By by) {
    waiting()
        .until(
            d -> {
              d.findElement(by).click();
              return true;
            });
  }

  static String text(By by) {
    return waiting().until(d -> d.findElement(by).getText());
  }

  /** Waits until the storefront rendered {@code route} (the script marks the view when done). */
  static void rendered(String route) {
    waiting().until(d -> route.equals(d.findElement(By.id("view")).getAttribute("data-route")));
  }

  /**
   * Opens the product page of {@code sku} until its recommendations come from {@code source}: the
   * page is asked anew each time (a recommendations call slower than its deadline on a busy machine
   * leaves one page partial; the next one is whole again).
   */
  static void productPageFrom(String sku, String source) {
    waiting()
        .until(
            d -> {
              d.get(storefront() + "#/product/" + sku);
              d.navigate().refresh();
              rendered("#/product/" + sku);
              return source.equals(
                  d.findElement(By.id("recommendations-title")).getAttribute("data-source"));
            });
  }

  static String storefront() {
    return "http://127.0.0.1:" + shop().runtime().instance("web-bff-1").port() + "/web";
  }

  static Shop shop() {
    Shop s = shop;
    assertThat(s).isNotNull();
    return s;
  }

  static void screenshot(String name) throws IOException {
    Path shot = ((TakesScreenshot) browser()).getScreenshotAs(OutputType.FILE).toPath();
    Path dir = Path.of("target", "storefront-screenshots");
    Files.createDirectories(dir);
    Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    String docs = System.getProperty("bulwark.shop.docImages");
    if (docs != null) {
      Files.createDirectories(Path.of(docs));
      Files.copy(shot, Path.of(docs, "shop-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static List<String> consoleProblems() {
    List<String> out = new ArrayList<>();
    for (LogEntry e : browser().manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
        out.add(e.getLevel() + " " + e.getMessage());
      }
    }
    return out;
  }

  @Test
  void aCustomerShopsAndAGameDayStepShowsOnTheStorefrontAndTheDashboard() throws Exception {
    // ---- the storefront, whole
    browser().get(storefront());
    rendered("#/");
    waiting().until(d -> d.findElements(By.cssSelector("#products .product")).size() == 20);
    screenshot("home");
    click(By.cssSelector("#products .product[data-sku='SKU-004'] a"));
    rendered("#/product/SKU-004");
    String name = text(By.id("product-name"));
    assertThat(name).isNotBlank();
    productPageFrom("SKU-004", "personal");
    assertThat(browser().findElements(By.cssSelector("#recommendations .recommendation")))
        .hasSize(4);
    assertThat(browser().findElement(By.id("notice")).isDisplayed()).isFalse();
    screenshot("product");
    click(By.id("add-to-cart"));
    waiting().until(d -> d.findElement(By.id("cart-count")).getText().equals("1"));
    click(By.id("cart-link"));
    rendered("#/cart");
    waiting().until(d -> d.findElements(By.cssSelector("#cart-lines .cart-line")).size() == 1);
    assertThat(text(By.cssSelector("#cart-lines .cart-line"))).contains(name);
    screenshot("cart");
    click(By.id("checkout"));
    waiting().until(d -> d.findElements(By.id("order-status")).size() == 1);
    assertThat(text(By.id("order-status"))).isEqualTo("CONFIRMED");
    String orderId = text(By.id("order-id"));
    assertThat(orderId).startsWith("ord-");
    screenshot("order");
    assertThat(consoleProblems()).as("storefront console").isEmpty();

    // ---- the "recommendations down" step of its game day, run now
    Step down =
        Scenarios.byName("recommendations-down").steps().stream()
            .filter(s -> s.title().contains("recommendations down"))
            .findFirst()
            .orElseThrow();
    CompletableFuture<StepEvent> ran = new CompletableFuture<>();
    try (GameDay day =
        new GameDay(
            new Scenario(
                "browser",
                "recommendations down",
                List.of(new Step(0, down.title(), down.action()))),
            Duration.ofSeconds(1),
            shop().runtime()::instance,
            scheduler,
            new GameDayChaos(chaos, shop().runtime().instanceKiller()))) {
      day.addListener(
          new GameDayListener() {
            @Override
            public void onStepStarting(StepEvent event) {
              // the step announced on the dashboard's timeline, as the demo announces its steps
              dashboard.note("game-day", "step", event.step().title());
            }

            @Override
            public void onStepDone(StepEvent event) {
              ran.complete(event);
            }
          });
      day.start();
      StepEvent event = ran.get(30, TimeUnit.SECONDS);
      assertThat(event.error()).isNull();
    }
    assertThat(chaos.active()).hasSize(1);
    String faultId = chaos.active().getFirst().id();

    productPageFrom("SKU-004", "popular");
    assertThat(text(By.id("recommendations-title"))).isEqualTo("Popular items");
    assertThat(text(By.id("notice"))).contains("recommendations");
    assertThat(text(By.id("product-name"))).isEqualTo(name);
    screenshot("product-degraded");

    browser().get(dashboard.url() + "#timeline");
    waiting().until(d -> d.findElement(By.id("conn")).getText().equals("live"));
    waiting()
        .until(
            d -> {
              String timeline = d.findElement(By.id("timeline-table")).getText();
              return timeline.contains(faultId + " started: ") && timeline.contains(down.title());
            });
    screenshot("dashboard-timeline");
    browser().get(dashboard.url() + "#faults");
    waiting().until(d -> d.findElement(By.id("faults-table")).getText().contains(faultId));
    screenshot("dashboard-faults");

    // ---- healed: the page is whole again
    assertThat(chaos.clearAll()).isEqualTo(1);
    productPageFrom("SKU-004", "personal");
    assertThat(browser().findElement(By.id("notice")).isDisplayed()).isFalse();
  }
}
