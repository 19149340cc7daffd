package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import massfetch.sink.ObjectSink;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.SinkConfig;
import massfetch.sink.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PacedSink}'s rules, on a store written for the test that answers the way a throttling store
 * does (no client library involved; scripts/suites/35-store-pace.sh runs the same against S3Proxy and
 * fake-gcs-server behind an nginx proxy that answers 503 SlowDown / 429).
 */
class PacedSinkTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final FetchConfig fetch =
      FetchConfig.builder().setInitialBackoffMs(1).setMaxBackoffMs(5).setMaxRetryAfterMs(50).build();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private static SinkConfig sink(int uploads, double writesPerSecond) {
    return SinkConfig.builder()
        .setOutput("s3://bucket/prefix")
        .setMaxUploadsInFlight(uploads)
        .setMaxWritesPerSecond(writesPerSecond)
        .build();
  }

  /** A store answering each request on another thread after {@code answer} decides how. */
  private static final class ThrottlingStore implements ObjectSink {
    final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final ScheduledExecutorService answers = Executors.newScheduledThreadPool(4);
    final java.util.function.BiFunction<String, Integer, RuntimeException> answer;

    ThrottlingStore(java.util.function.BiFunction<String, Integer, RuntimeException> answer) {
      this.answer = answer;
    }

    @Override
    public CompletableFuture<Boolean> exists(String key) {
      return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletableFuture<PutOutcome> put(
        String key, byte[] bytes, String type, byte[] md5, String sourceUrl) {
      int attempt = tries.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      CompletableFuture<PutOutcome> f = new CompletableFuture<>();
      answers.schedule(() -> {
        inFlight.decrementAndGet();
        RuntimeException e = answer.apply(key, attempt);
        if (e == null) {
          f.complete(PutOutcome.STORED);
        } else {
          f.completeExceptionally(e);
        }
      }, 2, TimeUnit.MILLISECONDS);
      return f;
    }

    @Override
    public String locationOf(String key) {
      return key;
    }

    @Override
    public void close() {
      answers.shutdownNow();
    }
  }

  private static List<CompletableFuture<PutOutcome>> putAll(ObjectSink sink, int n) {
    List<CompletableFuture<PutOutcome>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(sink.put("k" + i, new byte[] {1}, "image/png", new byte[16]));
    }
    return all;
  }

  @Test
  void givenStoreSayingSlowDownThreeTimesPerObject_whenPutting_thenEveryPutStoredAndUploadsCut() throws Exception {
    ThrottlingStore store = new ThrottlingStore(
        (key, attempt) -> attempt <= 3 ? StoreException.slowDown("S3 503 SlowDown", null, null) : null);
    PacedSink paced = new PacedSink(store, sink(64, 0), fetch, timer);

    for (CompletableFuture<PutOutcome> f : putAll(paced, 200)) {
      assertEquals(PutOutcome.STORED, f.get(30, TimeUnit.SECONDS));
    }

    assertEquals(600, paced.takeSlowDowns(), "3 slow-downs per object, each sent again");
    assertTrue(paced.inFlightLimit() < 64, "uploads in flight cut from 64 to " + paced.inFlightLimit());
    assertEquals(0, paced.inFlight());
    paced.close();
  }

  @Test
  void givenRetryAfter_whenSlowedDown_thenWaitsThatLong() throws Exception {
    ThrottlingStore store = new ThrottlingStore(
        (key, attempt) -> attempt == 1 ? StoreException.slowDown("GCS 429", "0", null) : null);
    // Retry-After: 0 s against a 5 ms backoff ceiling: honoured, so the retry is immediate.
    PacedSink paced = new PacedSink(store, sink(4, 0), fetch, timer);

    assertEquals(PutOutcome.STORED, paced.put("a", new byte[1], "image/png", new byte[16]).get(5, TimeUnit.SECONDS));
    assertEquals(2, store.tries.get("a").get());
    paced.close();
  }

  @Test
  void givenOtherStoreErrors_whenPutting_thenPassedOnAtOnceAndTimeoutsCutUploads() throws Exception {
    ThrottlingStore store = new ThrottlingStore((key, attempt) -> key.equals("k0")
        ? new StoreException("S3 400 InvalidArgument", false, null)
        : StoreException.timedOut("S3 ApiCallTimeoutException", null));
    PacedSink paced = new PacedSink(store, sink(32, 0), fetch, timer);
    List<CompletableFuture<PutOutcome>> all = putAll(paced, 20);

    for (CompletableFuture<PutOutcome> f : all) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
      assertInstanceOf(StoreException.class, e.getCause());
    }
    for (AtomicInteger tries : store.tries.values()) {
      assertEquals(1, tries.get(), "the fetch loop retries these, counting attempts; not the pacing layer");
    }
    assertTrue(paced.inFlightLimit() < 32, "timeouts cut uploads in flight, now " + paced.inFlightLimit());
    paced.close();
  }

  @Test
  void givenUploadCap_whenManyPuts_thenStoreNeverSeesMore() throws Exception {
    ThrottlingStore store = new ThrottlingStore((key, attempt) -> null);
    PacedSink paced = new PacedSink(store, sink(3, 0), fetch, timer);

    for (CompletableFuture<PutOutcome> f : putAll(paced, 60)) {
      f.get(10, TimeUnit.SECONDS);
    }

    assertEquals(3, store.peak.get());
    paced.close();
  }

  @Test
  void givenMaxWritesPerSecond_whenManyPuts_thenTheyTakeTheirTime() throws Exception {
    ThrottlingStore store = new ThrottlingStore((key, attempt) -> null);
    PacedSink paced = new PacedSink(store, sink(64, 100), fetch, timer);
    long start = System.nanoTime();

    for (CompletableFuture<PutOutcome> f : putAll(paced, 60)) {
      f.get(10, TimeUnit.SECONDS);
    }

    // 100/s with a burst of 10: the 60th request is booked 500 ms after the first.
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(ms >= 480, "60 puts at 100/s took " + ms + " ms");
    paced.close();
  }
}
