package massfetch.fetch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import massfetch.sink.ObjectSink;
import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;
import massfetch.sink.StoreException;
import massfetch.sink.StoreUnavailableException;
import javax.annotation.Nullable;

/**
 * Paces an object store: an {@link ObjectSink} around the real one that keeps its requests within
 * what the store takes.
 *
 * <ul>
 *   <li>Uploads in flight start at {@link SinkConfig#maxUploadsInFlight()} and move by AIMD ({@link
 *       AdaptiveLimit}, as {@code --maxInFlight=auto} does for the provider): a "slow down" answer
 *       (S3 {@code 503 SlowDown}, a 429, GCS 503) or a timeout cuts them, answers grow them back.
 *       Only these signals count: a store's latency varies with object size and its own tail, and
 *       cutting on it would throttle a healthy store.
 *   <li>A request the store asked to slow down is sent again after a backoff with full jitter
 *       ({@code Retry-After} honoured, capped by {@code --maxRetryAfterMs}), without spending one
 *       of the entry's attempts, for up to {@value #SLOW_DOWN_PATIENCE_MINUTES} minutes; only then
 *       does it fail as a retryable {@link StoreException} for the fetch loop to count.
 *   <li>{@code --maxWritesPerSecond} and {@code --writeRampUp} ({@link WriteBudget}) cap store
 *       requests per second, this JVM taking its share like {@code --maxRequestsPerSecond}.
 * </ul>
 *
 * <p>A waiting request keeps its entry's fetch slot ({@link InFlightLimiter}), so when the store
 * slows down, fetching slows with it and memory stays bounded by {@code --maxInFlight} images.
 * Nothing here blocks a thread: waits are spent in a queue or on the worker's timer.
 */
final class PacedSink implements ObjectSink {
  static final int SLOW_DOWN_PATIENCE_MINUTES = 15;
  /** How often this JVM's share of the budget is recomputed (the ramp moves every 20 minutes). */
  private static final long BUDGET_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ObjectSink store;
  private final UploadSlots slots;
  private final AdaptiveLimit limit;
  private final RetryPolicy backoff;
  private final ScheduledExecutorService timer;
  private final WriteBudget budget;
  private final int shares;
  /** Null when there is no budget. */
  private final RequestRateLimiter rate;
  private final long startNanos = System.nanoTime();
  private final AtomicLong slowDowns = new AtomicLong();
  private volatile int leases = 1;
  private volatile long nextRefreshNanos;

  PacedSink(ObjectSink store, SinkConfig sink, FetchConfig fetch, ScheduledExecutorService timer) {
    int ceiling = Math.max(1, sink.maxUploadsInFlight());
    this.store = store;
    this.slots = new UploadSlots(ceiling);
    this.limit =
        new AdaptiveLimit(Math.min(AdaptiveInFlight.FLOOR, ceiling), ceiling, ceiling, startNanos);
    this.backoff = new RetryPolicy(fetch);
    this.timer = timer;
    this.budget = new WriteBudget(sink.maxWritesPerSecond(), sink.writeRampUp());
    this.shares = fetch.rateShares();
    this.rate = budget.limited() ? new RequestRateLimiter(share(startNanos)) : null;
    this.nextRefreshNanos = startNanos + BUDGET_REFRESH_NANOS;
  }

  /** Whether the job's output is an object store, which is what this layer paces. */
  static boolean paces(SinkConfig sink) {
    return ObjectSinks.isRemote(sink.output());
  }

  @Override
  public CompletableFuture<Boolean> exists(String key) {
    return paced(() -> store.exists(key));
  }

  @Override
  public CompletableFuture<Boolean> exists(
      String key, @Nullable Long expectedSize, @Nullable String expectedMd5) {
    return paced(() -> store.exists(key, expectedSize, expectedMd5));
  }

  @Override
  public CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
    return paced(() -> store.put(key, bytes, contentType, md5, sourceUrl));
  }

  @Override
  public String locationOf(String key) {
    return store.locationOf(key);
  }

  @Override
  public void close() {
    store.close();
  }

  /** Called when the number of DoFn instances using this JVM changes: its share follows them. */
  void leasesChanged(int leases) {
    this.leases = Math.max(1, leases);
    nextRefreshNanos = System.nanoTime();
  }

  /** Store requests in flight now. */
  int inFlight() {
    return slots.inFlight();
  }

  /** The cap on store requests in flight, where the store's answers have moved it. */
  int inFlightLimit() {
    return slots.limit();
  }

  /** "Slow down" answers since the last call, each handed out once (for a counter). */
  long takeSlowDowns() {
    return slowDowns.getAndSet(0);
  }

  /** This JVM's requests per second now. */
  double ratePerSecond() {
    return rate == null ? Double.POSITIVE_INFINITY : rate.ratePerSecond();
  }

  private double share(long nowNanos) {
    double job = budget.perSecond(nowNanos - startNanos);
    return Math.min(job, job * leases / Math.max(1, shares));
  }

  private <T> CompletableFuture<T> paced(Supplier<CompletableFuture<T>> call) {
    Request<T> request = new Request<>(call);
    slots.submit(request);
    return request.result;
  }

  /** One store request, from its first slot to its final answer. */
  private final class Request<T> implements Runnable {
    final Supplier<CompletableFuture<T>> call;
    final CompletableFuture<T> result = new CompletableFuture<>();
    int slowDownsSoFar;
    long firstSlowDownNanos;

    Request(Supplier<CompletableFuture<T>> call) {
      this.call = call;
    }

    /** Holds a slot: waits for a token when there is a budget, then sends. */
    @Override
    public void run() {
      long wait = rate == null ? 0 : reserve();
      if (wait <= 0) {
        send();
        return;
      }
      try {
        timer.schedule(this::send, wait, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        slots.release();
        result.completeExceptionally(new StoreUnavailableException("the worker is shutting down", e));
      }
    }

    private long reserve() {
      long now = System.nanoTime();
      if (now >= nextRefreshNanos) {
        nextRefreshNanos = now + BUDGET_REFRESH_NANOS;
        rate.setRate(share(now));
      }
      return rate.reserveNanos();
    }

    private void send() {
      CompletableFuture<T> answer;
      try {
        answer = call.get();
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete(this::answered);
    }

    private void answered(T value, Throwable error) {
      Throwable cause = error == null ? null : unwrap(error);
      StoreException store = cause instanceof StoreException ? (StoreException) cause : null;
      boolean overloaded = store != null && (store.slowDown() || store.timedOut());
      if (error == null || overloaded) {
        // Other failures (a missing bucket, a bad request) say nothing about the store's pace.
        // Latency 0: it is no signal here (see above), only the store's own words and timeouts are.
        slots.setLimit(limit.onAnswer(overloaded, 0, System.nanoTime()));
      }
      slots.release();
      if (error == null) {
        result.complete(value);
      } else if (store != null && store.slowDown() && withinPatience()) {
        slowDowns.incrementAndGet();
        slowDownsSoFar++;
        long delay = backoff.delayMs(slowDownsSoFar, store.retryAfter());
        try {
          timer.schedule(() -> slots.submit(this), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          result.completeExceptionally(cause);
        }
      } else {
        result.completeExceptionally(cause);
      }
    }

    private boolean withinPatience() {
      long now = System.nanoTime();
      if (slowDownsSoFar == 0) {
        firstSlowDownNanos = now;
      }
      return now - firstSlowDownNanos < TimeUnit.MINUTES.toNanos(SLOW_DOWN_PATIENCE_MINUTES);
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
