package massfetch.sink;

/** A store fault for one object; the entry fails as {@code store_error} once retries are spent. */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public StoreException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether trying the same put again may succeed (throttling, 5xx, a reset connection). */
  public boolean retryable() {
    return retryable;
  }
}
