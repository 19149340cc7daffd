package massfetch.sink;

import javax.annotation.Nullable;

/** A store fault for one object; the entry fails as {@code store_error} once retries are spent. */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;
  private final boolean slowDown;
  private final boolean timedOut;
  private final @Nullable String retryAfter;

  public StoreException(String message, boolean retryable, Throwable cause) {
    this(message, retryable, false, false, null, cause);
  }

  private StoreException(
      String message,
      boolean retryable,
      boolean slowDown,
      boolean timedOut,
      @Nullable String retryAfter,
      Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.slowDown = slowDown;
    this.timedOut = timedOut;
    this.retryAfter = retryAfter;
  }

  /**
   * The store asks for fewer requests (S3 {@code 503 SlowDown}, a 429, GCS 503): nothing is wrong
   * with the object, so the pacing layer waits and sends it again instead of spending an attempt.
   *
   * @param retryAfter the answer's {@code Retry-After} header, or null
   */
  public static StoreException slowDown(String message, @Nullable String retryAfter, Throwable cause) {
    return new StoreException(message, true, true, false, retryAfter, cause);
  }

  /** No answer within the store's deadline: retryable, and a sign the store is overloaded. */
  public static StoreException timedOut(String message, Throwable cause) {
    return new StoreException(message, true, false, true, null, cause);
  }

  /** Whether trying the same put again may succeed (throttling, 5xx, a reset connection). */
  public boolean retryable() {
    return retryable;
  }

  /** The store said "slow down": see {@link #slowDown(String, String, Throwable)}. */
  public boolean slowDown() {
    return slowDown;
  }

  /** The request got no answer in time. */
  public boolean timedOut() {
    return timedOut;
  }

  /** The store's {@code Retry-After} header value (seconds or an HTTP date), or null. */
  public @Nullable String retryAfter() {
    return retryAfter;
  }

  /** Whether {@code t} or one of its causes is a timeout (socket, call or channel deadline). */
  public static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.SocketTimeoutException
          || c instanceof java.util.concurrent.TimeoutException
          || c.getClass().getSimpleName().contains("Timeout")) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }
}
