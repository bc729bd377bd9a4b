package io.bulwark.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client's exchanges are spread over one event-loop context per event loop, never elsewhere. */
class EventLoopsTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));

  @AfterEach
  void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void oneEventLoopContextPerEventLoopOnDistinctThreads() throws Exception {
    EventLoops loops = EventLoops.of(vertx);
    assertThat(loops.size()).isEqualTo(3);
    Set<Thread> threads = new HashSet<>();
    for (int i = 0; i < loops.size(); i++) {
      assertThat(loops.get(i).isEventLoopContext()).isTrue();
      threads.add(threadOf(loops.get(i)));
    }
    assertThat(threads).hasSize(3);
  }

  @Test
  void builtOnAnEventLoopThreadStillSpreadsOverEveryLoop() throws Exception {
    CompletableFuture<EventLoops> built = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> built.complete(EventLoops.of(vertx)));
    EventLoops loops = built.get(10, TimeUnit.SECONDS);
    Set<Thread> threads = new HashSet<>();
    for (int i = 0; i < loops.size(); i++) {
      threads.add(threadOf(loops.get(i)));
    }
    assertThat(threads).hasSize(3);
  }

  @Test
  void aThreadAlwaysGetsTheSameContextAndManyThreadsUseThemAll() throws Exception {
    EventLoops loops = EventLoops.of(vertx);
    Set<Context> used = ConcurrentHashMap.newKeySet();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<Boolean>> stable =
          java.util.stream.IntStream.range(0, 64)
              .mapToObj(
                  i ->
                      callers.submit(
                          () -> {
                            Context first = loops.forCurrentThread();
                            used.add(first);
                            // blocks (unmounts), so it may resume on another carrier thread
                            CompletableFuture.runAsync(() -> {}).join();
                            Context again = loops.forCurrentThread();
                            return again == first;
                          }))
              .toList();
      for (java.util.concurrent.Future<Boolean> f : stable) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
      }
    }
    assertThat(used).hasSize(3).allMatch(Context::isEventLoopContext);
  }

  private static Thread threadOf(Context context) throws Exception {
    CompletableFuture<Thread> t = new CompletableFuture<>();
    context.runOnContext(v -> t.complete(Thread.currentThread()));
    return t.get(10, TimeUnit.SECONDS);
  }
}
