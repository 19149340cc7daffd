package massfetch.fetch;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Decides, for a failed answer, between another request and failing the entry, and how long to wait
 * first: retried are the {@link AnswerClass}es that say so, while attempts are left; the wait is
 * exponential backoff with full jitter (so a burst of failures does not come back as a synchronised
 * burst), or a server's {@code Retry-After}, honoured but capped.
 */
final class RetryPolicy {
  private final FetchConfig config;
  private final DoubleSupplier random;

  RetryPolicy(FetchConfig config) {
    this(config, () -> ThreadLocalRandom.current().nextDouble());
  }

  RetryPolicy(FetchConfig config, DoubleSupplier random) {
    this.config = config;
    this.random = random;
  }

  /** Returned by {@link #nextAttemptInMs} when the entry fails now. */
  static final long FAIL = -1;

  /**
   * The wait before the next request after a failed answer of class {@code kind}, or {@link #FAIL}.
   * {@code failedAttempts} counts this failure; {@code counted} is false for an answer that must
   * not use up an attempt (a paused host's refused probe), which waits like a first retry at least.
   */
  long nextAttemptInMs(AnswerClass kind, int failedAttempts, boolean counted, String retryAfter) {
    if (!kind.retried() || (counted && !canRetry(failedAttempts))) {
      return FAIL;
    }
    return delayMs(Math.max(1, failedAttempts), retryAfter);
  }

  /** Whether another attempt is allowed after {@code failedAttempts} failures. */
  boolean canRetry(int failedAttempts) {
    return failedAttempts < config.maxAttempts();
  }

  /**
   * Delay before the next attempt, after {@code failedAttempts} (>= 1) failures. {@code retryAfter}
   * is the server's header value or null.
   */
  long delayMs(int failedAttempts, String retryAfter) {
    Long fromServer = parseRetryAfterMs(retryAfter);
    if (fromServer != null) {
      return Math.min(Math.max(fromServer, 0), config.maxRetryAfterMs());
    }
    double ceiling =
        Math.min(
            (double) config.maxBackoffMs(),
            config.initialBackoffMs() * Math.pow(2, Math.max(0, failedAttempts - 1)));
    return (long) (random.getAsDouble() * ceiling);
  }

  /** {@code Retry-After} as delay-seconds or an HTTP date; null when absent or unreadable. */
  static Long parseRetryAfterMs(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      // Delay-seconds; a value too large for milliseconds is "very long", which the cap then bounds.
      try {
        return Math.multiplyExact(Long.parseLong(v), 1000L);
      } catch (NumberFormatException | ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
    try {
      ZonedDateTime when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
      return Math.max(0, Duration.between(ZonedDateTime.now(when.getZone()), when).toMillis());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
