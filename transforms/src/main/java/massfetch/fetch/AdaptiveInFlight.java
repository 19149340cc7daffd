package massfetch.fetch;

/**
 * Connects {@link AdaptiveLimit} to a worker: every HTTP answer moves the limit, and the {@link
 * InFlightLimiter} follows it. Overload is what the answer's {@link AnswerClass} says. Only used with {@code --maxInFlight=auto}.
 */
final class AdaptiveInFlight implements HttpFetcher.AnswerObserver {
  /** Where auto starts and its floor: low enough to be polite, high enough to learn quickly. */
  static final int INITIAL = 16;
  static final int FLOOR = 4;

  private final AdaptiveLimit limit;
  private final InFlightLimiter limiter;
  private volatile int applied;

  AdaptiveInFlight(InFlightLimiter limiter) {
    int ceiling = limiter.limit();
    this.limit = new AdaptiveLimit(Math.min(FLOOR, ceiling), Math.min(INITIAL, ceiling), ceiling, System.nanoTime());
    this.limiter = limiter;
    this.applied = limit.limit();
    limiter.setLimit(applied);
  }

  @Override
  public void answered(HttpOutcome outcome, long latencyNanos) {
    int next = limit.onAnswer(outcome.kind.overload(), latencyNanos, System.nanoTime());
    if (next != applied) {
      applied = next;
      limiter.setLimit(next);
    }
  }
}
