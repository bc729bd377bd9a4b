package io.bulwark.examples.shop.bff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.examples.shop.bff.PageParts.Fetch;
import io.bulwark.examples.shop.bff.PageParts.Page;
import io.bulwark.http.HttpProblem;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The parts of a page on virtual time: parallel parts, a part's deadline failing it with 504 and
 * interrupting its work, the deadline its calls see, failures mapped to the page's status, and a
 * page's close cancelling what still runs.
 */
class PagePartsTest {
  final VirtualScheduler scheduler = new VirtualScheduler();
  final PageParts parts = new PageParts(scheduler);

  @AfterEach
  void close() {
    parts.close();
  }

  @Test
  void partsRunInParallelAndEachAnswersItsValue() throws Exception {
    CountDownLatch bothStarted = new CountDownLatch(2);
    try (Page page = parts.page("product")) {
      // each part waits until the other started: they can only both finish if they run together
      Fetch<String> a =
          page.start(
              "catalog",
              Duration.ofSeconds(1),
              () -> {
                bothStarted.countDown();
                assertThat(bothStarted.await(10, TimeUnit.SECONDS)).isTrue();
                return "product";
              });
      Fetch<String> b =
          page.start(
              "recommendations",
              Duration.ofSeconds(1),
              () -> {
                bothStarted.countDown();
                assertThat(bothStarted.await(10, TimeUnit.SECONDS)).isTrue();
                return "recs";
              });
      assertThat(a.get()).isEqualTo("product");
      assertThat(b.get()).isEqualTo("recs");
    }
  }

  @Test
  void aPartPastItsDeadlineFailsWith504AndItsWorkIsInterrupted() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    try (Page page = parts.page("product")) {
      Fetch<String> slow =
          page.start(
              "recommendations",
              Duration.ofMillis(400),
              () -> {
                started.countDown();
                try {
                  new CountDownLatch(1).await(); // never answers by itself
                  return "late";
                } catch (InterruptedException e) {
                  interrupted.complete(true);
                  throw e;
                }
              });
      Fetch<String> fast = page.start("catalog", Duration.ofMillis(400), () -> "product");
      assertThat(fast.get()).isEqualTo("product");
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      scheduler.advance(Duration.ofMillis(399));
      assertThat(interrupted).isNotDone();
      scheduler.advance(Duration.ofMillis(1));
      assertThatThrownBy(slow::get)
          .isInstanceOfSatisfying(
              PartFailure.class,
              f -> {
                assertThat(f.status()).isEqualTo(504);
                assertThat(f.part()).isEqualTo("recommendations");
                assertThat(f).hasMessage("recommendations: deadline of 400 ms passed");
              });
      assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aPartsCallsSeeItsDeadlineAndNeverALaterOneThanTheRequests() throws Exception {
    try (Page page = parts.page("home")) {
      Fetch<Long> own =
          page.start(
              "cart", Duration.ofMillis(800), () -> remainingMillis(Context.current().deadline()));
      assertThat(own.get()).isEqualTo(800);
    }
    Context request =
        Context.root().withDeadline(Deadline.after(Duration.ofMillis(300), scheduler.clock()));
    long seen =
        request.call(
            () -> {
              try (Page page = parts.page("home")) {
                return page.start(
                        "cart",
                        Duration.ofMillis(800),
                        () -> remainingMillis(Context.current().deadline()))
                    .get();
              }
            });
    assertThat(seen).isEqualTo(300);
  }

  private static long remainingMillis(@Nullable Deadline d) {
    return d == null ? -1 : d.remaining().toMillis();
  }

  @Test
  void aMandatoryPartsFailureBecomesThePagesStatusNamingThePartAndTheCall() {
    try (Page page = parts.page("product")) {
      Fetch<String> missing =
          page.start(
              "catalog",
              Duration.ofSeconds(1),
              () -> {
                throw new PartFailure(
                    "catalog", 404, "GET /products/SKU-999/price answered 404: unknown sku");
              });
      assertThatThrownBy(missing::require)
          .isInstanceOfSatisfying(
              HttpProblem.class,
              p -> {
                assertThat(p.status()).isEqualTo(404);
                assertThat(p.code()).isEqualTo("catalog_not_found");
                assertThat(p)
                    .hasMessageContaining("product page: mandatory part catalog:")
                    .hasMessageContaining("SKU-999");
              });
      Fetch<String> broken =
          page.start(
              "cart",
              Duration.ofSeconds(1),
              () -> {
                throw new IllegalStateException("connection reset by cart-1");
              });
      assertThatThrownBy(broken::require)
          .isInstanceOfSatisfying(
              HttpProblem.class,
              p -> {
                assertThat(p.status()).isEqualTo(502);
                assertThat(p.code()).isEqualTo("cart_failed");
                assertThat(p).hasMessageContaining("connection reset by cart-1");
              });
    }
  }

  @Test
  void closingThePageInterruptsThePartsStillRunning() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    Fetch<String> left;
    try (Page page = parts.page("product")) {
      left =
          page.start(
              "recommendations",
              null,
              () -> {
                started.countDown();
                try {
                  new CountDownLatch(1).await();
                  return "late";
                } catch (InterruptedException e) {
                  interrupted.complete(true);
                  throw e;
                }
              });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(left::get)
        .isInstanceOfSatisfying(PartFailure.class, f -> assertThat(f.status()).isEqualTo(503));
    // with no deadline no timer was left on the scheduler
    assertThat(scheduler.pendingTasks()).isZero();
  }
}
