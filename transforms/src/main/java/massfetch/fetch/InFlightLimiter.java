package massfetch.fetch;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The JVM-wide cap on requests in flight, shared by every DoFn instance in a worker: it is what keeps
 * the provider's server and the worker's memory safe. Also keeps the time integral of the in-flight
 * count, so the average concurrency over a run can be reported honestly (sampling at acquire time
 * would over-state it).
 */
final class InFlightLimiter {
  private final int limit;
  private final Semaphore permits;
  private final Object areaLock = new Object();
  private long inFlight;
  private long lastChangeNanos = System.nanoTime();
  private double unreportedAreaMs;

  InFlightLimiter(int limit) {
    this.limit = limit;
    this.permits = new Semaphore(limit);
  }

  int limit() {
    return limit;
  }

  /** Takes a permit, waiting at most {@code timeoutMs}; false when none came free in time. */
  boolean tryAcquire(long timeoutMs) throws InterruptedException {
    if (!permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
      return false;
    }
    change(+1);
    return true;
  }

  void release() {
    change(-1);
    permits.release();
  }

  long inFlight() {
    synchronized (areaLock) {
      return inFlight;
    }
  }

  /**
   * In-flight milliseconds (in-flight count × time) accumulated since the last call; each slice is
   * handed out once, so several DoFn instances can report it as a counter without double counting.
   */
  long takeAreaMs() {
    synchronized (areaLock) {
      accumulate(System.nanoTime());
      long whole = (long) unreportedAreaMs;
      unreportedAreaMs -= whole;
      return whole;
    }
  }

  private void change(int delta) {
    synchronized (areaLock) {
      accumulate(System.nanoTime());
      inFlight += delta;
    }
  }

  private void accumulate(long now) {
    unreportedAreaMs += inFlight * ((now - lastChangeNanos) / 1e6);
    lastChangeNanos = now;
  }
}
