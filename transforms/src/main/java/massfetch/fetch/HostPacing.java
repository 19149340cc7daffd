package massfetch.fetch;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's spacing, the first of {@link HostHealth}'s two state machines: after {@link
 * HostHealth#TROUBLE_THRESHOLD} troubled answers within {@link HostHealth#TROUBLE_WINDOW_MS},
 * requests are spaced {@code hostBackoffMs} apart, the spacing doubles on more trouble (at most once
 * per spacing) up to {@code maxBackoffMs}, the whole host waits out the largest {@code Retry-After}
 * of the window, and successes halve the spacing again, one step per spacing (at least four initial
 * spacings). Not thread-safe: its {@link HostHealth.Host} guards it; times are {@code nanoTime}s.
 */
final class HostPacing {
  private static final Logger LOG = LoggerFactory.getLogger(HostPacing.class);

  private final String name;
  private final long backoffNanos;
  private final long maxSpacingNanos;
  private final long maxRetryAfterNanos;
  private final long windowNanos;
  private long windowStart;
  private int inWindow;
  private long windowRetryAfter;
  private long lastTrouble;
  private long spacing;
  private long lastSpacingChange;
  private long nextSlot;
  private long pausedUntil;

  HostPacing(String name, long backoffNanos, long maxSpacingNanos, long maxRetryAfterNanos, long windowNanos, long now) {
    this.name = name;
    this.backoffNanos = backoffNanos;
    this.maxSpacingNanos = maxSpacingNanos;
    this.maxRetryAfterNanos = maxRetryAfterNanos;
    this.windowNanos = windowNanos;
    this.windowStart = now;
    this.lastTrouble = now - windowNanos - 1;
    this.nextSlot = now;
    this.pausedUntil = now;
  }

  /**
   * Counts a troubled answer in the window; {@code retryAfterMs} is its {@code Retry-After} or null.
   * Returns the largest {@code Retry-After} of the window, capped, in nanoseconds.
   */
  long countTrouble(long now, Long retryAfterMs) {
    lastTrouble = now;
    if (now - windowStart > windowNanos) {
      windowStart = now;
      inWindow = 0;
      windowRetryAfter = 0;
    }
    inWindow++;
    if (retryAfterMs != null) {
      // toNanos saturates, so a huge header cannot overflow before the cap applies.
      long ra = Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(0, retryAfterMs)), maxRetryAfterNanos);
      windowRetryAfter = Math.max(windowRetryAfter, ra);
    }
    return windowRetryAfter;
  }

  /** After {@link #countTrouble} while the circuit stays closed: a storm starts or widens the spacing. */
  void slowDown(long now) {
    if (inWindow < HostHealth.TROUBLE_THRESHOLD) {
      return;
    }
    if (spacing == 0) {
      spacing = backoffNanos;
      lastSpacingChange = now;
      LOG.info("host {} answers with errors: spacing its requests {} ms apart", name,
          TimeUnit.NANOSECONDS.toMillis(spacing));
    } else if (now - lastSpacingChange >= spacing) {
      spacing = Math.min(spacing * 2, maxSpacingNanos);
      lastSpacingChange = now;
    }
    pausedUntil = Math.max(pausedUntil, now + windowRetryAfter);
    nextSlot = Math.max(nextSlot, now + spacing);
  }

  /** A good answer with the circuit closed: the spacing halves, one step per spacing. */
  void speedUp(long now) {
    if (spacing > 0 && now - lastSpacingChange >= Math.max(spacing, 4 * backoffNanos)) {
      spacing /= 2;
      lastSpacingChange = now;
      if (spacing < backoffNanos) {
        spacing = 0;
        LOG.info("host {} recovered: requests no longer spaced", name);
      }
    }
  }

  /** The circuit closed: resume paced, so a host that just came back is not hit by every waiting request at once. */
  void resumePaced(long now) {
    spacing = Math.max(spacing, backoffNanos);
    lastSpacingChange = now;
    nextSlot = now;
  }

  /** When the next request may go. */
  long nextSendAt() {
    return Math.max(nextSlot, pausedUntil);
  }

  /** A request goes now: the next one waits a spacing. */
  void booked(long now) {
    nextSlot = now + spacing;
  }

  /** No spacing and no pause: requests need not ask. */
  boolean idle(long now) {
    return spacing == 0 && now - pausedUntil >= 0;
  }

  /** Idle and no trouble within the window: forgetting it loses nothing. */
  boolean quiet(long now) {
    return idle(now) && now - lastTrouble > windowNanos;
  }
}
