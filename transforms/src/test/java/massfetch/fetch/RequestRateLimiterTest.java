package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link RequestRateLimiter} on a hand-driven clock, and how a worker's share of the budget is set. */
class RequestRateLimiterTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  @Test
  void givenIdleLimiter_whenManyReservedAtOnce_thenBurstGoesNowAndTheRestOnePerInterval() {
    RequestRateLimiter limiter = new RequestRateLimiter(100, clock::get); // burst 10, one per 10 ms

    for (int i = 0; i < 10; i++) {
      assertEquals(0, limiter.reserveNanos(), "request " + i + " of the burst");
    }
    for (int k = 1; k <= 5; k++) {
      assertEquals(TimeUnit.MILLISECONDS.toNanos(10) * k, limiter.reserveNanos());
    }
  }

  @Test
  void givenIdleTime_whenReserved_thenBucketRefillsButNotBeyondItsSize() {
    RequestRateLimiter limiter = new RequestRateLimiter(10, clock::get); // burst 1, one per 100 ms
    assertEquals(0, limiter.reserveNanos());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(100), limiter.reserveNanos());

    clock.addAndGet(TimeUnit.SECONDS.toNanos(10));

    assertEquals(0, limiter.reserveNanos());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(100), limiter.reserveNanos(), "ten idle seconds are not saved up");
  }

  @Test
  void givenJobParallelism_whenInstancesLeaseTheWorker_thenJvmGetsTheirSharesCappedAtTheBudget() {
    FetchConfig config = FetchConfig.builder().setMaxRequestsPerSecond(800).setRateShares(8).build();

    assertEquals(100, Worker.shareOf(config, 1), 1e-9);
    assertEquals(300, Worker.shareOf(config, 3), 1e-9);
    assertEquals(800, Worker.shareOf(config, 8), 1e-9);
    assertEquals(800, Worker.shareOf(config, 12), 1e-9, "more instances than the parallelism: still the budget");
    assertEquals(800, Worker.shareOf(FetchConfig.builder().setMaxRequestsPerSecond(800).build(), 1), 1e-9,
        "parallelism unknown: one JVM, the whole budget");
  }
}
