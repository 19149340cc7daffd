package massfetch.fetch;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's circuit breaker, the second of {@link HostHealth}'s two state machines: {@code
 * hostFailuresToOpen} troubled answers in a row open it (the host is paused for {@code
 * hostCooldownMs}, or the window's {@code Retry-After} if longer); then one probe goes (half-open),
 * whose success closes it and whose failure opens it again; once the pause has lasted {@code
 * hostUnavailableAfterMs}, waiting requests fail. Not thread-safe: its {@link HostHealth.Host}
 * guards it, except {@link #consecutive()}, read without the lock; times are {@code nanoTime}s.
 */
final class HostCircuit {
  private static final Logger LOG = LoggerFactory.getLogger(HostCircuit.class);

  private enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final String name;
  private final int failuresToOpen;
  private final long cooldownNanos;
  private final long unavailableAfterNanos;
  private final long probeTimeoutNanos;
  /** Troubled answers since the last good one. */
  private volatile int consecutive;
  private State state = State.CLOSED;
  private long openUntil;
  private long probeSince;
  private long outageSince;

  HostCircuit(String name, int failuresToOpen, long cooldownNanos, long unavailableAfterNanos, long probeTimeoutNanos) {
    this.name = name;
    this.failuresToOpen = failuresToOpen;
    this.cooldownNanos = cooldownNanos;
    this.unavailableAfterNanos = unavailableAfterNanos;
    this.probeTimeoutNanos = probeTimeoutNanos;
  }

  int consecutive() {
    return consecutive;
  }

  boolean closed() {
    return state == State.CLOSED;
  }

  /**
   * A troubled answer; {@code retryAfterNanos} is the window's largest {@code Retry-After}. Returns
   * true when the circuit is open now (the answer was a failed probe, opened it, or came while it
   * was open), false when it stays closed and spacing is the host's remedy.
   */
  boolean troubled(long now, long retryAfterNanos) {
    consecutive++;
    switch (state) {
      case HALF_OPEN -> {
        state = State.OPEN;
        openUntil = now + Math.max(cooldownNanos, retryAfterNanos);
        return true;
      }
      case OPEN -> {
        return true;
      }
      default -> {
        if (consecutive < failuresToOpen) {
          return false;
        }
        state = State.OPEN;
        outageSince = now;
        openUntil = now + Math.max(cooldownNanos, retryAfterNanos);
        LOG.warn("host {} paused after {} failures in a row; one probe every {} ms", name, consecutive,
            TimeUnit.NANOSECONDS.toMillis(Math.max(cooldownNanos, retryAfterNanos)));
        return true;
      }
    }
  }

  /** A good answer; returns true when it closed the circuit (the host answers again). */
  boolean succeeded(long now) {
    consecutive = 0;
    if (state == State.CLOSED) {
      return false;
    }
    state = State.CLOSED;
    LOG.info("host {} answers again after {} s; resuming, paced", name,
        TimeUnit.NANOSECONDS.toSeconds(now - outageSince));
    return true;
  }

  /** Open past its cooldown, or half-open with a probe whose answer is overdue: a probe may go. */
  boolean probeDue(long now) {
    return state == State.OPEN ? now - openUntil >= 0 : now - probeSince >= probeTimeoutNanos;
  }

  void startProbe(long now) {
    state = State.HALF_OPEN;
    probeSince = now;
  }

  /** Paused for {@code hostUnavailableAfterMs} or longer: waiting requests fail. */
  boolean pastBound(long now) {
    return now - outageSince >= unavailableAfterNanos;
  }

  /** Not closed, and paused for less than the bound: a failed probe does not use up its entry's attempt. */
  boolean pausedWithinBound(long now) {
    return state != State.CLOSED && !pastBound(now);
  }

  /** When waiting requests should look again: a probe due, or the bound reached, whichever is first. */
  long nextChangeAt() {
    long change = state == State.OPEN ? openUntil : probeSince + probeTimeoutNanos;
    long bound = outageSince + unavailableAfterNanos;
    return change - bound < 0 ? change : bound;
  }

  /** Why a request to this host fails as {@code host_unavailable}. */
  String unavailableDetail(long now) {
    return "host " + name + " unavailable for " + TimeUnit.NANOSECONDS.toSeconds(now - outageSince)
        + " s (paused after " + failuresToOpen + " failures in a row, probes failing)";
  }
}
