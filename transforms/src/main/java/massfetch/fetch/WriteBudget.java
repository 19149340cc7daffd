package massfetch.fetch;

import java.util.concurrent.TimeUnit;

/**
 * The job's store requests per second over time: {@code --maxWritesPerSecond}, and with {@code
 * --writeRampUp} the ramp Google asks of a new bucket: start at {@value #RAMP_START_PER_SECOND}
 * writes/s and at most double every {@value #RAMP_DOUBLING_MINUTES} minutes.
 */
final class WriteBudget {
  static final double RAMP_START_PER_SECOND = 1000;
  static final int RAMP_DOUBLING_MINUTES = 20;

  private final double maxPerSecond;
  private final boolean rampUp;

  /** {@code maxPerSecond} 0 means no cap. */
  WriteBudget(double maxPerSecond, boolean rampUp) {
    this.maxPerSecond = maxPerSecond;
    this.rampUp = rampUp;
  }

  /** Whether there is any budget at all. */
  boolean limited() {
    return maxPerSecond > 0 || rampUp;
  }

  /** Requests per second for the whole job, {@code elapsedNanos} after it started writing. */
  double perSecond(long elapsedNanos) {
    double budget = maxPerSecond > 0 ? maxPerSecond : Double.POSITIVE_INFINITY;
    if (rampUp) {
      // Whole steps: the rate doubles at each 20-minute mark, never faster.
      long doublings = Math.max(0, elapsedNanos) / TimeUnit.MINUTES.toNanos(RAMP_DOUBLING_MINUTES);
      budget = Math.min(budget, RAMP_START_PER_SECOND * Math.pow(2, Math.min(doublings, 60)));
    }
    return budget;
  }
}
