package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrentRecordingTest {
  static final int THREADS = 8;
  static final int PER_THREAD = 20_000;

  @Test
  void concurrentRecordsAreAllCounted() throws Exception {
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().build();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        futures.add(
            pool.submit(
                () -> {
                  RedRecorder r = t.endpoint("hot");
                  start.await(10, TimeUnit.SECONDS);
                  for (int n = 0; n < PER_THREAD; n++) {
                    r.record(n % 10 == 0 ? Outcome.ERROR : Outcome.SUCCESS, n * 1_000L);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      RedSnapshot s = t.redSnapshots("endpoint").get(0);
      assertThat(s.total()).isEqualTo((long) THREADS * PER_THREAD);
      assertThat(s.count(Outcome.ERROR)).isEqualTo((long) THREADS * PER_THREAD / 10);
      long inBuckets = 0;
      for (long c : s.bucketCounts()) {
        inBuckets += c;
      }
      assertThat(inBuckets).isEqualTo((long) THREADS * PER_THREAD);
    }
  }

  @Test
  void racingNewNamesNeverExceedTheLimit() throws Exception {
    int limit = 5;
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().maxNamesPerDimension(limit).build();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<Set<String>>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        int id = i;
        futures.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  Set<String> names = new HashSet<>();
                  for (int n = 0; n < 50; n++) {
                    names.add(t.dependency("dep-" + id + "-" + n).name());
                  }
                  return names;
                }));
      }
      Set<String> all = new HashSet<>();
      for (Future<Set<String>> f : futures) {
        all.addAll(f.get(60, TimeUnit.SECONDS));
      }
      all.remove("_overflow");
      assertThat(all).hasSize(limit);
      assertThat(t.redSnapshots("dependency")).hasSize(limit);
    }
  }
}
