package massfetch.fetch;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Which failures are worth another request and how long to wait first: exponential backoff with
 * full jitter (so a burst of failures does not come back as a synchronised burst), a server's
 * {@code Retry-After} honoured but capped.
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

  /** 408, 429 and 5xx may succeed later; every other 4xx says the same thing every time. */
  static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
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
