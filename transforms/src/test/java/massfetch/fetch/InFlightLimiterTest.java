package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link InFlightLimiter}: a hard cap on requests in flight, and an honest time-average of them. */
class InFlightLimiterTest {

  @Test
  void givenLimitTwo_whenThirdAcquired_thenRefusedUntilOneIsReleased() throws Exception {
    InFlightLimiter limiter = new InFlightLimiter(2);

    assertTrue(limiter.tryAcquire(0));
    assertTrue(limiter.tryAcquire(0));
    assertFalse(limiter.tryAcquire(50), "a third permit beyond the limit");
    assertEquals(2, limiter.inFlight());

    limiter.release();

    assertEquals(1, limiter.inFlight());
    assertTrue(limiter.tryAcquire(0));
    assertEquals(2, limiter.inFlight());
    assertEquals(2, limiter.limit());
  }

  @Test
  void givenAllPermitsTaken_whenReleasedFromAnotherThread_thenWaiterGetsOne() throws Exception {
    InFlightLimiter limiter = new InFlightLimiter(1);
    assertTrue(limiter.tryAcquire(0));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> waiter = pool.submit(() -> limiter.tryAcquire(10_000));
      Thread.sleep(50);
      assertFalse(waiter.isDone(), "the waiter got a permit while none was free");

      limiter.release();

      assertTrue(waiter.get(10, TimeUnit.SECONDS));
      assertEquals(1, limiter.inFlight());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void givenManyThreads_whenHammering_thenNeverMoreThanTheLimitInFlight() throws Exception {
    InFlightLimiter limiter = new InFlightLimiter(3);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Long>> seen = new ArrayList<>();
    try {
      for (int t = 0; t < 8; t++) {
        seen.add(pool.submit(() -> {
          long most = 0;
          for (int i = 0; i < 500; i++) {
            if (limiter.tryAcquire(1_000)) {
              most = Math.max(most, limiter.inFlight());
              limiter.release();
            }
          }
          return most;
        }));
      }
      for (Future<Long> f : seen) {
        assertTrue(f.get(60, TimeUnit.SECONDS) <= 3);
      }
      assertEquals(0, limiter.inFlight());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void givenTwoInFlight_whenTwoCallersTakeTheArea_thenEachSliceHandedOutOnceAndSumIsCountTimesTime()
      throws Exception {
    InFlightLimiter limiter = new InFlightLimiter(4);
    limiter.takeAreaMs(); // nothing in flight yet: nothing to hand out
    long outerStart = System.nanoTime();
    assertTrue(limiter.tryAcquire(0));
    assertTrue(limiter.tryAcquire(0));
    long innerStart = System.nanoTime();

    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Long>> takers = new ArrayList<>();
    try {
      for (int t = 0; t < 2; t++) {
        takers.add(pool.submit(() -> {
          go.await();
          long sum = 0;
          long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
          while (System.nanoTime() < until) {
            sum += limiter.takeAreaMs();
            Thread.sleep(3);
          }
          return sum;
        }));
      }
      go.countDown();
      long total = 0;
      for (Future<Long> f : takers) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      long innerEnd = System.nanoTime();
      total += limiter.takeAreaMs();
      long outerEnd = System.nanoTime();

      double inner = 2 * (innerEnd - innerStart) / 1e6;
      double outer = 2 * (outerEnd - outerStart) / 1e6;
      // Each take floors and keeps the remainder, so the sum is within a millisecond of the exact
      // area; double counting by the two callers would give about twice as much.
      assertTrue(total >= inner - 1 && total <= outer, "area " + total + " ms, expected " + inner + ".." + outer);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void givenNothingInFlight_whenTimePasses_thenNoArea() throws Exception {
    InFlightLimiter limiter = new InFlightLimiter(4);
    assertTrue(limiter.tryAcquire(0));
    Thread.sleep(20);
    limiter.release();
    assertTrue(limiter.takeAreaMs() >= 19);

    Thread.sleep(50);

    assertEquals(0, limiter.takeAreaMs());
  }

  @Test
  void givenAreaJustTaken_whenTakenAgainAtOnce_thenAlmostNothingLeft() throws Exception {
    InFlightLimiter limiter = new InFlightLimiter(4);
    assertTrue(limiter.tryAcquire(0));
    Thread.sleep(30);
    long first = limiter.takeAreaMs();
    long afterFirst = System.nanoTime();

    long second = limiter.takeAreaMs();

    long between = System.nanoTime() - afterFirst;
    assertTrue(first >= 29, "first " + first);
    // Only the moment between the two calls (plus a remainder under 1 ms) is left to hand out.
    assertTrue(second <= between / 1e6 + 1, "second " + second + " ms after " + between / 1e6 + " ms");
    limiter.release();
  }
}
