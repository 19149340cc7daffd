package massfetch.sink;

/**
 * The store cannot take any object (out of disk, permission denied, bucket gone): the worker is
 * broken, so the bundle fails and the runner retries it elsewhere instead of failing every entry.
 */
public class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
