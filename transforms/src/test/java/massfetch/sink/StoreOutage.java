package massfetch.sink;

import static massfetch.sink.StoreTestSupport.await;
import static massfetch.sink.StoreTestSupport.putWithRetries;
import static massfetch.sink.StoreTestSupport.storeCtl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.StoreTestSupport.Attempted;
import massfetch.sink.StoreTestSupport.TestObject;

/**
 * The "store goes away in the middle of a run" scenario, shared by the GCS and S3 tests. The store
 * is stopped and started for real through {@code scripts/storage-emulators.sh}, which keeps its
 * objects on disk and its port, as a restarted service would.
 */
final class StoreOutage {
  /** Reads an object back without the sink under test; null when it does not exist. */
  interface Reader {
    byte[] read(String key) throws Exception;
  }

  private StoreOutage() {}

  static void run(String store, String ctl, Supplier<ObjectSink> open, Reader reader)
      throws Exception {
    List<TestObject> all = StoreTestSupport.objects("outage", 180, 7);
    List<TestObject> before = all.subList(0, 60);
    List<TestObject> inFlight = all.subList(60, 100);
    List<TestObject> during = all.subList(100, 120);
    List<TestObject> recovering = all.subList(120, 180);
    Map<String, String> log = new LinkedHashMap<>();

    try (ObjectSink sink = open.get()) {
      // 1. A healthy store takes everything.
      for (PutOutcome outcome : StoreTestSupport.putAll(sink, before).values()) {
        assertEquals(PutOutcome.STORED, outcome);
      }

      // 2. Stop the store while 40 puts are in flight: each either lands or fails as a store error.
      List<CompletableFuture<PutOutcome>> pending = new ArrayList<>();
      for (TestObject o : inFlight) {
        pending.add(sink.put(o.key, o.bytes, o.contentType, o.md5));
      }
      long stopAt = System.nanoTime();
      storeCtl(ctl, "stop", store);
      List<TestObject> inFlightFailed = new ArrayList<>();
      int inFlightStored = 0;
      for (int i = 0; i < inFlight.size(); i++) {
        try {
          assertEquals(PutOutcome.STORED, await(pending.get(i)));
          inFlightStored++;
        } catch (StoreException | StoreUnavailableException e) {
          assertRetryableOrUnavailable(e);
          inFlightFailed.add(inFlight.get(i));
        }
      }
      log.put("in_flight_at_stop", inFlight.size() + " (stored " + inFlightStored + ", failed "
          + inFlightFailed.size() + ")");

      // 3. With the store down, every put fails fast as a retryable error: store_error when the
      //    attempts run out, never an outcome without an object behind it.
      int retryable = 0;
      int unavailable = 0;
      long downStarted = System.nanoTime();
      for (TestObject o : during) {
        Attempted a = putWithRetries(sink, o, 3, Duration.ofMillis(100));
        assertNull(a.outcome, "a put succeeded while the store was stopped: " + o.key);
        assertNotNull(a.error);
        assertRetryableOrUnavailable(a.error);
        if (a.error instanceof StoreUnavailableException) {
          unavailable++;
        } else {
          retryable++;
        }
      }
      long downMillis = (System.nanoTime() - downStarted) / 1_000_000;
      log.put("down_puts", during.size() + " x 3 attempts: " + retryable + " retryable store_error, "
          + unavailable + " unavailable, " + downMillis + " ms");

      // 4. Bring the store back 2 s later while puts keep retrying: they all land.
      ExecutorService restarter = Executors.newSingleThreadExecutor();
      Future<?> restart =
          restarter.submit(
              () -> {
                Thread.sleep(2_000);
                storeCtl(ctl, "start", store);
                return null;
              });
      long recoverStarted = System.nanoTime();
      int maxAttempts = 0;
      for (TestObject o : recovering) {
        Attempted a = putWithRetries(sink, o, 12, Duration.ofMillis(250));
        if (a.error != null) {
          fail("put did not recover after the restart: " + o.key, a.error);
        }
        assertEquals(PutOutcome.STORED, a.outcome, o.key);
        maxAttempts = Math.max(maxAttempts, a.attempts);
      }
      restart.get();
      restarter.shutdown();
      log.put("recovery", recovering.size() + " puts stored, first needed " + maxAttempts
          + " attempts, " + (System.nanoTime() - recoverStarted) / 1_000_000 + " ms; outage "
          + (System.nanoTime() - stopAt) / 1_000_000 + " ms in all");

      // 5. Nothing partial: a failed put left no object, or (response lost) the whole object.
      for (TestObject o : during) {
        assertNull(reader.read(o.key), "a failed put left an object: " + o.key);
      }
      List<TestObject> rerun = new ArrayList<>(during);
      rerun.addAll(inFlightFailed);
      int landedAnyway = 0;
      for (TestObject o : inFlightFailed) {
        byte[] stored = reader.read(o.key);
        if (stored != null) {
          assertArrayEquals(o.bytes, stored, "partial object after a failed put: " + o.key);
          landedAnyway++;
        }
      }
      log.put("failed_in_flight_that_landed_whole", String.valueOf(landedAnyway));

      // 6. Re-running the failures (as a re-run of the failed entries would) stores them.
      for (TestObject o : rerun) {
        Attempted a = putWithRetries(sink, o, 3, Duration.ofMillis(100));
        assertNull(a.error, () -> "re-run failed for " + o.key + ": " + a.error);
        assertTrue(a.outcome == PutOutcome.STORED || a.outcome == PutOutcome.ALREADY_EXISTS);
      }
    }

    // 7. Every object is there, byte-exact.
    for (TestObject o : all) {
      assertArrayEquals(o.bytes, reader.read(o.key), "read back " + o.key);
    }
    log.put("verified", all.size() + " objects byte-exact after the outage");
    System.out.println(store + " outage: " + log);
  }

  private static void assertRetryableOrUnavailable(RuntimeException e) {
    if (e instanceof StoreException) {
      assertTrue(((StoreException) e).retryable(), () -> "not retryable: " + e);
    } else if (!(e instanceof StoreUnavailableException)) {
      fail("unexpected error class", e);
    }
  }
}
