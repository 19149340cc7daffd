package massfetch.fetch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker JVM's budget of body bytes held in memory ({@link FetchConfig#maxBytesInFlight()}):
 * bytes are counted as they arrive, and while the count is over the budget new requests wait here,
 * unsent, until answers complete and give their bytes back. A request already in flight is never
 * stopped by it (its size is capped by {@link FetchConfig#maxObjectBytes()}), so memory stays
 * within the budget plus what the requests in flight still receive.
 */
final class BodyBudget {
  private final long max;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private long held;

  BodyBudget(long max) {
    this.max = max;
  }

  /** Runs {@code send} now, or once the bytes held are under the budget again. */
  void whenRoom(Runnable send) {
    synchronized (this) {
      if (held >= max || !waiting.isEmpty()) {
        waiting.add(send);
        return;
      }
    }
    send.run();
  }

  synchronized void took(long bytes) {
    held += bytes;
  }

  /** An answer is done with {@code bytes}; waiting requests go while there is room. */
  void gaveBack(long bytes) {
    List<Runnable> go = new ArrayList<>();
    synchronized (this) {
      held -= bytes;
      while (held < max && !waiting.isEmpty()) {
        go.add(waiting.poll());
      }
    }
    go.forEach(Runnable::run);
  }

  synchronized long held() {
    return held;
  }
}
