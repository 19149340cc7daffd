package massfetch.fetch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket for HTTP requests that never blocks: {@link #reserveNanos()} books the next free
 * slot and says how long the caller must wait for it, so the caller can schedule the request on a
 * timer instead of holding a thread (retries start on Jetty's threads, which must never sleep).
 *
 * <p>The bucket holds {@link #burst()} tokens: an idle limiter lets that many requests go at once,
 * then one per {@code 1 / rate}. Stored as the time the next slot frees up ("virtual scheduling"),
 * so a reservation is one compare-and-set, with no lock and no allocation.
 */
final class RequestRateLimiter {
  /** How much of a second's budget may go at once after a pause: smooth for the provider, yet not stingy. */
  private static final double BURST_SECONDS = 0.1;

  private final LongSupplier nanoClock;
  private final AtomicLong nextFreeNanos;
  private volatile long intervalNanos;
  private volatile long burstSpanNanos;
  private volatile int burst;

  RequestRateLimiter(double perSecond) {
    this(perSecond, System::nanoTime);
  }

  RequestRateLimiter(double perSecond, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    setRate(perSecond);
    // Start with a full bucket.
    this.nextFreeNanos = new AtomicLong(nanoClock.getAsLong() - burstSpanNanos);
  }

  /**
   * Changes the rate (requests per second, > 0) for reservations made from now on; the worker calls
   * it when DoFn instances lease or release it, since its share of the job's budget follows them.
   */
  void setRate(double perSecond) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive, got " + perSecond);
    }
    long interval = Math.max(1, (long) (TimeUnit.SECONDS.toNanos(1) / perSecond));
    int b = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.floor(perSecond * BURST_SECONDS)));
    this.intervalNanos = interval;
    this.burst = b;
    // The b-th request of a burst starts at the same instant as the first.
    this.burstSpanNanos = (b - 1) * interval;
  }

  /** Requests that may go at once when the limiter has been idle. */
  int burst() {
    return burst;
  }

  double ratePerSecond() {
    return TimeUnit.SECONDS.toNanos(1) / (double) intervalNanos;
  }

  /** Books one request; returns how long to wait before sending it, 0 to send now. */
  long reserveNanos() {
    long interval = intervalNanos;
    long span = burstSpanNanos;
    while (true) {
      long now = nanoClock.getAsLong();
      long next = nextFreeNanos.get();
      // Time not used while idle refills the bucket, but never beyond its size.
      long start = Math.max(next, now - span);
      if (nextFreeNanos.compareAndSet(next, start + interval)) {
        return Math.max(0, start - now);
      }
    }
  }
}
