package io.bulwark.core.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ContextPropagationTest {

  @Test
  void currentIsRootOutsideAnyBinding() {
    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(Context.current().criticality()).isEqualTo(Criticality.CRITICAL);
  }

  @Test
  void bindingIsVisibleInsideAndRestoredAfter() throws Exception {
    Context outer = Context.root().withCorrelationId("outer");
    Context inner = outer.withCriticality(Criticality.SHEDDABLE);

    String seen =
        outer.call(
            () -> {
              String innerSeen = inner.call(() -> Context.current().criticality().name());
              return Context.current().correlationId()
                  + "/"
                  + innerSeen
                  + "/"
                  + Context.current().criticality();
            });

    assertThat(seen).isEqualTo("outer/SHEDDABLE/CRITICAL");
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void childVirtualThreadInheritsTheSubmittersContext() throws Exception {
    Context ctx = Context.root().withCorrelationId("req-1").withBaggage("cohort", "canary");
    AtomicReference<Context> seenInChild = new AtomicReference<>();

    ctx.run(
        () -> {
          Thread child = Context.startVirtualThread(() -> seenInChild.set(Context.current()));
          joinQuietly(child);
        });

    assertThat(seenInChild.get()).isSameAs(ctx);
    assertThat(seenInChild.get().baggage().get("cohort")).isEqualTo("canary");
  }

  @Test
  void executorTasksSeeTheContextCurrentAtSubmissionEvenAfterItChanges() throws Exception {
    List<Future<String>> futures = new ArrayList<>();
    try (ExecutorService executor = Context.newVirtualThreadExecutor()) {
      for (int i = 0; i < 50; i++) {
        Context ctx = Context.root().withCorrelationId("req-" + i);
        futures.add(ctx.call(() -> executor.submit(() -> Context.current().correlationId())));
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get()).isEqualTo("req-" + i);
      }
    }
    assertThat(Context.current().correlationId()).isNull();
  }

  @Test
  void grandchildThreadsInheritThroughTwoHops() throws Exception {
    Context ctx = Context.root().withCriticality(Criticality.CRITICAL_PLUS);
    AtomicReference<Criticality> seen = new AtomicReference<>();
    ctx.run(
        () ->
            joinQuietly(
                Context.startVirtualThread(
                    () ->
                        joinQuietly(
                            Context.startVirtualThread(
                                () -> seen.set(Context.current().criticality()))))));
    assertThat(seen.get()).isEqualTo(Criticality.CRITICAL_PLUS);
  }

  @Test
  void plainThreadsWithoutWrapDoNotSeeTheContext() throws Exception {
    Context ctx = Context.root().withCorrelationId("scoped");
    AtomicReference<Context> seen = new AtomicReference<>();
    ctx.run(() -> joinQuietly(Thread.ofVirtual().start(() -> seen.set(Context.current()))));
    assertThat(seen.get()).isSameAs(Context.root());
  }

  @Test
  void aDerivedDeadlineCanShortenButNeverExtend() {
    Clock clock = Clock.system();
    Context ctx = Context.root().withTimeout(Duration.ofSeconds(1), clock);
    Deadline original = ctx.deadline();

    Context longer = ctx.withTimeout(Duration.ofHours(1), clock);
    Context shorter = ctx.withTimeout(Duration.ofMillis(10), clock);

    assertThat(longer.deadline()).isSameAs(original);
    assertThat(shorter.deadline()).isNotNull();
    assertThat(shorter.deadline().compareTo(original)).isNegative();
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
