package massfetch.fetch;

/**
 * Finds the concurrency a provider sustains ({@code --maxInFlight=auto}), AIMD as TCP does: grow
 * while the server answers promptly, cut back at the first sign of overload. Slow start doubles the
 * limit every round trip until the first overload; after that it grows by about one per round trip
 * (1/limit per answer). An overload — a 429 or 503, a timeout, a refused or reset connection, or a
 * moving average of latency above twice the fastest recent answer — cuts the limit to {@value #DECREASE} of itself,
 * at most once per round trip, so one burst of simultaneous 503s is one signal, not hundreds.
 *
 * <p>Latency alone is a weak signal for images of very different sizes, which is why the baseline
 * is the fastest real answer (not a refusal) of the last {@value #BASELINE_WINDOW_SECONDS} s and the threshold twice it
 * plus {@value #LATENCY_SLACK_MS} ms: only queueing at the server moves every answer that much.
 */
final class AdaptiveLimit {
  static final double DECREASE = 0.75;
  static final int BASELINE_WINDOW_SECONDS = 10;
  static final long LATENCY_SLACK_MS = 20;
  /** Weight of each answer in the moving average of latency: one slow image is not a trend. */
  static final double SMOOTHING = 0.05;

  private final int min;
  private final int max;
  private double limit;
  private double slowStartUntil;
  private long baselineNanos = Long.MAX_VALUE;
  private double smoothedNanos = -1;
  private long nextBaselineNanos = Long.MAX_VALUE;
  private long windowStart;
  private long lastDecrease;

  /** Between {@code min} and {@code max}, starting at {@code initial}. */
  AdaptiveLimit(int min, int initial, int max, long nowNanos) {
    if (min < 1 || initial < min || max < initial) {
      throw new IllegalArgumentException("need 1 <= min <= initial <= max");
    }
    this.min = min;
    this.max = max;
    this.limit = initial;
    this.slowStartUntil = max;
    this.windowStart = nowNanos;
    this.lastDecrease = nowNanos - Long.MAX_VALUE / 2;
  }

  int limit() {
    return (int) limit;
  }

  /**
   * Takes one answer into account and returns the new limit.
   *
   * @param overloaded the answer said the server is overloaded (429, 503, timeout, connection
   *     refused or reset)
   * @param latencyNanos time from sending the request to the end of the answer
   */
  synchronized int onAnswer(boolean overloaded, long latencyNanos, long nowNanos) {
    if (!overloaded) {
      // A refusal comes back fast; only real answers say how quick the server is unloaded.
      trackBaseline(latencyNanos, nowNanos);
      smoothedNanos = smoothedNanos < 0 ? latencyNanos : smoothedNanos + SMOOTHING * (latencyNanos - smoothedNanos);
    }
    boolean slow = !overloaded && baselineNanos != Long.MAX_VALUE
        && smoothedNanos > 2 * baselineNanos + LATENCY_SLACK_MS * 1_000_000L;
    if (overloaded || slow) {
      long roundTrip = Math.max(baselineNanos == Long.MAX_VALUE ? 0 : baselineNanos, 50_000_000L);
      if (nowNanos - lastDecrease >= roundTrip) {
        limit = Math.max(min, limit * DECREASE);
        slowStartUntil = limit;
        lastDecrease = nowNanos;
      }
    } else if (limit < slowStartUntil) {
      limit = Math.min(max, limit + 1);
    } else {
      limit = Math.min(max, limit + 1 / limit);
    }
    return (int) limit;
  }

  /** The fastest answer of the current window, or the previous one while this one is young. */
  private void trackBaseline(long latencyNanos, long nowNanos) {
    if (nowNanos - windowStart > BASELINE_WINDOW_SECONDS * 1_000_000_000L) {
      baselineNanos = Math.min(nextBaselineNanos, latencyNanos);
      nextBaselineNanos = Long.MAX_VALUE;
      windowStart = nowNanos;
    }
    nextBaselineNanos = Math.min(nextBaselineNanos, latencyNanos);
    baselineNanos = Math.min(baselineNanos, latencyNanos);
  }
}
