package io.bulwark.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.bulwark.core.time.Clock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The engine's JSON: its mapper shares Jackson's buffers across threads (every run and step action
 * is a virtual thread of its own), keeps the user's configuration, and leaves the user's mapper as
 * it was.
 */
class JsonTest {
  record Money(long cents) {}

  /** A user's serializer: the copy must keep it. */
  static final class MoneyAsText extends JsonSerializer<Money> {
    @Override
    public void serialize(Money value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeString(
          value.cents() / 100
              + "."
              + String.format(java.util.Locale.ROOT, "%02d", value.cents() % 100));
    }
  }

  private static ObjectMapper userMapper() {
    return new ObjectMapper()
        .registerModule(new SimpleModule().addSerializer(Money.class, new MoneyAsText()));
  }

  @Test
  void theEnginesMapperPoolsBuffersAcrossThreadsAndTheUsersMapperIsLeftAlone() {
    ObjectMapper user = userMapper();
    ObjectMapper pooled = Json.pooled(user);

    assertThat(pooled).isNotSameAs(user);
    assertThat(pooled.getFactory()._getRecyclerPool())
        .isNotSameAs(JsonRecyclerPools.threadLocalPool());
    assertThat(user.getFactory()._getRecyclerPool()).isSameAs(JsonRecyclerPools.threadLocalPool());
    Json json = new Json(user, 1 << 20, Clock.system());
    assertThat(json.encode("r1", "output", new Money(1205))).isEqualTo("\"12.05\"");
  }

  @Test
  void aMapperWithAPoolOfItsOwnIsUsedAsItIs() {
    ObjectMapper user = userMapper();
    user.getFactory().setRecyclerPool(JsonRecyclerPools.newBoundedPool(4));

    assertThat(Json.pooled(user)).isSameAs(user);
  }

  @Test
  void manyVirtualThreadsEncodeAndDecodeThroughTheSharedPoolWithoutMixingTheirBuffers()
      throws InterruptedException {
    Json json = new Json(userMapper(), 1 << 20, Clock.system());
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1); // all threads start encoding together
    for (int t = 0; t < 64; t++) {
      int id = t;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      wrong.add("interrupted");
                      return;
                    }
                    for (int i = 0; i < 500; i++) {
                      String value = "run-" + id + "-" + i + "-" + "x".repeat(i % 40);
                      String encoded = json.encode("r" + id, "step", value);
                      String back = json.decode(encoded, String.class);
                      Long n =
                          json.decode(json.encode("r" + id, "step", (long) id * i), Long.class);
                      if (!value.equals(back) || n == null || n != (long) id * i) {
                        wrong.add(value + " came back as " + back + ", " + n);
                      }
                    }
                  }));
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(wrong).isEmpty();
  }
}
