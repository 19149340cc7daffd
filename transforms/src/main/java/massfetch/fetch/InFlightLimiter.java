package massfetch.fetch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM-wide cap on requests in flight, shared by every DoFn instance in a worker: it is what keeps
 * the provider's server and the worker's memory safe. Also keeps the time integral of the in-flight
 * count, so the average concurrency over a run can be reported honestly (sampling at acquire time
 * would over-state it).
 */
final class InFlightLimiter {
  private final int ceiling;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition freed = lock.newCondition();
  private int limit;
  private long inFlight;
  private long lastChangeNanos = System.nanoTime();
  private double unreportedAreaMs;

  InFlightLimiter(int limit) {
    this.ceiling = limit;
    this.limit = limit;
  }

  /** The current cap; below the configured one while {@code --maxInFlight=auto} holds it back. */
  int limit() {
    lock.lock();
    try {
      return limit;
    } finally {
      lock.unlock();
    }
  }

  /** Moves the cap (never above the configured one); requests already in flight carry on. */
  void setLimit(int newLimit) {
    lock.lock();
    try {
      limit = Math.max(1, Math.min(ceiling, newLimit));
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Takes a permit, waiting at most {@code timeoutMs}; false when none came free in time. */
  boolean tryAcquire(long timeoutMs) throws InterruptedException {
    long waitNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    lock.lock();
    try {
      while (inFlight >= limit) {
        if (waitNanos <= 0) {
          return false;
        }
        waitNanos = freed.awaitNanos(waitNanos);
      }
      change(+1);
      return true;
    } finally {
      lock.unlock();
    }
  }

  void release() {
    lock.lock();
    try {
      change(-1);
      freed.signal();
    } finally {
      lock.unlock();
    }
  }

  long inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /**
   * In-flight milliseconds (in-flight count × time) accumulated since the last call; each slice is
   * handed out once, so several DoFn instances can report it as a counter without double counting.
   */
  long takeAreaMs() {
    lock.lock();
    try {
      accumulate(System.nanoTime());
      long whole = (long) unreportedAreaMs;
      unreportedAreaMs -= whole;
      return whole;
    } finally {
      lock.unlock();
    }
  }

  /** Call with the lock held. */
  private void change(int delta) {
    accumulate(System.nanoTime());
    inFlight += delta;
  }

  private void accumulate(long now) {
    unreportedAreaMs += inFlight * ((now - lastChangeNanos) / 1e6);
    lastChangeNanos = now;
  }
}
