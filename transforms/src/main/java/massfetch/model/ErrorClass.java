package massfetch.model;

/**
 * The short error classes written in {@link FetchResult#error()}; one place so results, metrics and
 * docs agree. Failures use these; skips use the {@code SKIP_*} reasons.
 */
public final class ErrorClass {
  public static final String INVALID_ENTRY = "invalid_entry";
  public static final String TIMEOUT = "timeout";
  public static final String CONNECT_ERROR = "connect_error";
  /** The TLS handshake failed: untrusted certificate or a host name it does not cover. Not retried. */
  public static final String TLS_ERROR = "tls_error";
  public static final String CONNECTION_RESET = "connection_reset";
  public static final String TRUNCATED = "truncated";
  public static final String NOT_IMAGE = "not_image";
  public static final String TOO_LARGE = "too_large";
  public static final String CHECKSUM_MISMATCH = "checksum_mismatch";
  public static final String TOO_MANY_REDIRECTS = "too_many_redirects";
  public static final String BAD_REDIRECT = "bad_redirect";
  public static final String DUPLICATE_KEY = "duplicate_key";
  public static final String DISALLOWED_HOST = "disallowed_host";
  public static final String STORE_ERROR = "store_error";
  /**
   * Overwriting is off and the store already holds other bytes under the entry's key (size or MD5
   * differ): another source mapped to the same name, a case-insensitive file system, or a changed
   * image. The stored object is left as it is.
   */
  public static final String KEY_CONFLICT = "key_conflict";
  public static final String HTTP_ERROR = "http_error";
  /**
   * The entry's host failed every request for longer than {@code --hostUnavailableAfterMs}, so the
   * entry was not tried again; re-run the failures once the host is back.
   */
  public static final String HOST_UNAVAILABLE = "host_unavailable";

  public static final String SKIP_EXISTS = "exists";
  public static final String SKIP_DUPLICATE_ENTRY = "duplicate_entry";
  public static final String SKIP_DONE_BEFORE = "done_before";

  private ErrorClass() {}

  /** The class for an HTTP status that ended a fetch, e.g. {@code http_404}. */
  public static String http(int status) {
    return "http_" + status;
  }
}
