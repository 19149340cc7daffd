package massfetch.fetch;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cap on store requests in flight that never blocks: a request that finds every slot taken is
 * queued and started by whichever request frees a slot. Puts start on HTTP client threads, which
 * must never wait, so {@link InFlightLimiter}'s blocking acquire does not fit here; the cap itself
 * moves with {@link AdaptiveLimit} as {@link InFlightLimiter}'s does.
 */
final class UploadSlots {
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  /** Guards against recursion: a request that completes at once frees its slot inside drain(). */
  private final AtomicInteger draining = new AtomicInteger();
  private int limit;
  private int inFlight;

  UploadSlots(int limit) {
    this.limit = Math.max(1, limit);
  }

  /** Runs {@code start} holding a slot, now or when one frees up; it must call {@link #release()}. */
  void submit(Runnable start) {
    synchronized (this) {
      waiting.add(start);
    }
    drain();
  }

  void release() {
    synchronized (this) {
      inFlight--;
    }
    drain();
  }

  /** Moves the cap; requests in flight carry on, and a lower cap only holds back new ones. */
  void setLimit(int newLimit) {
    synchronized (this) {
      limit = Math.max(1, newLimit);
    }
    drain();
  }

  synchronized int limit() {
    return limit;
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized int waiting() {
    return waiting.size();
  }

  private void drain() {
    if (draining.getAndIncrement() != 0) {
      return;
    }
    do {
      while (true) {
        Runnable next;
        synchronized (this) {
          if (inFlight >= limit || waiting.isEmpty()) {
            break;
          }
          inFlight++;
          next = waiting.poll();
        }
        next.run();
      }
    } while (draining.decrementAndGet() != 0);
  }
}
