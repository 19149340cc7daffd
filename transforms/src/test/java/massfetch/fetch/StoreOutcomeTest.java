package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.LocalFileSink;
import massfetch.sink.ObjectSink;
import massfetch.sink.SinkConfig;
import massfetch.sink.StoreException;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an entry's record says when the store gets in the way: an existence check that fails for a
 * moment is retried (a short store outage must not drain the manifest into store errors), and a put
 * that finds the object already there is {@code skipped / exists}, not {@code ok} with bytes that
 * were never stored. The store is a real local folder; only its existence check is made to fail,
 * as a remote store's does while it is down.
 */
class StoreOutcomeTest {
  @TempDir Path dir;
  private FaultOrigin origin;
  private ScheduledExecutorService timer;
  private byte[] image;

  @BeforeEach
  void start() throws Exception {
    origin = new FaultOrigin();
    image = origin.addImage("a.png", TestImages.png(5, 20));
    timer = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void stop() throws Exception {
    timer.shutdownNow();
    origin.close();
  }

  @Test
  void givenExistenceCheckFailingTwice_whenFetched_thenRetriedAndStored() throws Exception {
    FetchResult r = fetch(FetchConfig.builder().setAllowPrivateAddresses(true).setInitialBackoffMs(5).build(), 2, true);

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertArrayEquals(image, Files.readAllBytes(dir.resolve("k/a.png")));
  }

  @Test
  void givenExistenceCheckFailingBeyondTheAttempts_whenFetched_thenStoreErrorWithoutARequest() throws Exception {
    FetchResult r = fetch(FetchConfig.builder().setAllowPrivateAddresses(true).setInitialBackoffMs(5).setMaxAttempts(3).build(), 10, true);

    assertEquals(ErrorClass.STORE_ERROR, r.getError(), r.toString());
    assertEquals(0, origin.hits("/img/a.png"), "nothing is fetched while the store cannot answer");
  }

  @Test
  void givenSameObjectAlreadyStored_whenFetchedWithoutTheCheck_thenSkippedExistsAndLeftAsItWas() throws Exception {
    Files.createDirectories(dir.resolve("k"));
    Files.write(dir.resolve("k/a.png"), image);
    long modified = Files.getLastModifiedTime(dir.resolve("k/a.png")).toMillis();

    FetchResult r = fetch(FetchConfig.builder().setAllowPrivateAddresses(true).setSkipExisting(false).build(), 0, true);

    assertEquals(Status.SKIPPED, r.getStatus(), r.toString());
    assertEquals(ErrorClass.SKIP_EXISTS, r.getError());
    assertEquals(null, r.getMd5(), "no MD5 of bytes that were not stored");
    assertEquals(modified, Files.getLastModifiedTime(dir.resolve("k/a.png")).toMillis(), "not rewritten");
  }

  @Test
  void givenOtherBytesStoredUnderTheKey_whenFetched_thenKeyConflictAndStoredFileLeftAsItWas() throws Exception {
    // What a case-insensitive file system does with A.png after a.png, or another source's image.
    Files.createDirectories(dir.resolve("k"));
    Files.write(dir.resolve("k/a.png"), new byte[] {1, 2, 3});

    FetchResult r = fetch(FetchConfig.builder().setAllowPrivateAddresses(true).setSkipExisting(false).build(), 0, true);

    assertEquals(Status.FAILED, r.getStatus(), r.toString());
    assertEquals(ErrorClass.KEY_CONFLICT, r.getError(), r.toString());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("k/a.png")));
  }

  @Test
  void givenOtherBytesOfTheSameSizeStored_whenFetched_thenKeyConflictByMd5() throws Exception {
    byte[] other = image.clone();
    other[other.length - 1] ^= 1;
    Files.createDirectories(dir.resolve("k"));
    Files.write(dir.resolve("k/a.png"), other);

    FetchResult r = fetch(FetchConfig.builder().setAllowPrivateAddresses(true).setSkipExisting(false).build(), 0, true);

    assertEquals(ErrorClass.KEY_CONFLICT, r.getError(), r.toString());
    assertArrayEquals(other, Files.readAllBytes(dir.resolve("k/a.png")));
  }

  @Test
  void givenPutLandedButItsAnswerWasLost_whenRetried_thenOkNotSkipped() throws Exception {
    FetchResult r = fetch(FetchConfig.builder().setAllowPrivateAddresses(true).setSkipExisting(false).setInitialBackoffMs(5).build(), 0, true, 1);

    assertEquals(Status.OK, r.getStatus(), "this run stored it: " + r);
    assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(image)), r.getMd5());
    assertArrayEquals(image, Files.readAllBytes(dir.resolve("k/a.png")));
  }

  private FetchResult fetch(FetchConfig config, int failingChecks, boolean retryable) throws Exception {
    return fetch(config, failingChecks, retryable, 0);
  }

  private FetchResult fetch(FetchConfig config, int failingChecks, boolean retryable, int lostAnswers)
      throws Exception {
    ObjectSink local = new LocalFileSink(dir, SinkConfig.builder().setOutput(dir.toString()).build());
    ObjectSink sink = new FailingChecks(local, failingChecks, retryable, lostAnswers);
    try (HttpFetcher http = new HttpFetcher(config)) {
      EntryFetcher fetcher = new EntryFetcher(
          config, http, sink, new RetryPolicy(config), timer, new HostHealth(config, timer), null);
      FetchRequest request = FetchRequest.builder()
          .setUrl(origin.baseUrl() + "/img/a.png").setKey("k/a.png").setSource("t").setLine(1).build();
      return fetcher.fetch(request).get(30, TimeUnit.SECONDS);
    } finally {
      sink.close();
    }
  }

  /** A store whose existence check fails the first {@code n} times, as a remote one does while down. */
  private static final class FailingChecks implements ObjectSink {
    private final ObjectSink store;
    private final AtomicInteger failuresLeft;
    private final boolean retryable;
    private final AtomicInteger lostAnswersLeft;

    FailingChecks(ObjectSink store, int n, boolean retryable, int lostAnswers) {
      this.store = store;
      this.failuresLeft = new AtomicInteger(n);
      this.retryable = retryable;
      this.lostAnswersLeft = new AtomicInteger(lostAnswers);
    }

    @Override
    public CompletableFuture<Boolean> exists(String key) {
      if (failuresLeft.getAndDecrement() > 0) {
        return CompletableFuture.failedFuture(new StoreException("connection refused", retryable, null));
      }
      return store.exists(key);
    }

    @Override
    public CompletableFuture<PutOutcome> put(
        String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
      if (lostAnswersLeft.getAndDecrement() > 0) {
        // The put lands, then its answer is lost on the way back: the connection closed.
        return store.put(key, bytes, contentType, md5, sourceUrl).thenCompose(stored ->
            CompletableFuture.failedFuture(new StoreException("connection closed before the answer", true, null)));
      }
      return store.put(key, bytes, contentType, md5, sourceUrl);
    }

    @Override
    public String locationOf(String key) {
      return store.locationOf(key);
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
