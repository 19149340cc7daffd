package massfetch.metrics;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Every metric the job reports, namespace {@value #NAMESPACE}. Beam attributes metric updates to the
 * step whose DoFn thread makes them, so these are only updated from DoFn methods, never from HTTP
 * client callbacks.
 */
public final class JobMetrics {
  public static final String NAMESPACE = "massfetch";

  /** Manifest lines that were entries (not blank, not comments, not the CSV header). */
  public static final String MANIFEST_ENTRIES = "manifest_entries";

  public static final String RESULTS_OK = "results_ok";
  public static final String RESULTS_SKIPPED = "results_skipped";
  public static final String RESULTS_FAILED = "results_failed";
  /** Prefix of one counter per failure class, e.g. {@code failed_http_404}. */
  public static final String FAILED_PREFIX = "failed_";

  public static final String BYTES_STORED = "bytes_stored";
  public static final String HTTP_REQUESTS = "http_requests";
  /** Requests in flight in a worker JVM, at the last look. */
  public static final String IN_FLIGHT = "in_flight";
  /** A worker JVM's in-flight cap at the last look: where {@code --maxInFlight=auto} has moved it. */
  public static final String IN_FLIGHT_LIMIT = "in_flight_limit";
  /** Sum over time of the in-flight count, in request-milliseconds; divided by wall time = average. */
  public static final String IN_FLIGHT_AREA_MS = "in_flight_area_ms";
  public static final String FETCH_LATENCY_MS = "fetch_latency_ms";
  /** Object-store requests in flight in a worker JVM, at the last look. */
  public static final String UPLOADS_IN_FLIGHT = "uploads_in_flight";
  /** A worker JVM's cap on store requests in flight at the last look: where the store's "slow down" answers moved it. */
  public static final String UPLOADS_IN_FLIGHT_LIMIT = "uploads_in_flight_limit";
  /** Store answers that asked for fewer requests (S3 503 SlowDown, 429, GCS 503); each was sent again later. */
  public static final String STORE_SLOW_DOWNS = "store_slow_downs";

  /** Keys an earlier run recorded as stored (--previousResults), repeats included. */
  public static final String PREVIOUS_DONE_KEYS = "previous_done_keys";
  /** Lines of --previousResults that are no readable record: ignored, they are no entries of this run. */
  public static final String PREVIOUS_UNREADABLE_LINES = "previous_unreadable_lines";

  /** Requests left out because a failed attempt of this run already published their result. */
  public static final String LEDGER_SKIPPED = "ledger_skipped";
  /** Results dropped at the writer because their entry was already published by this run. */
  public static final String LEDGER_REPEATS_DROPPED = "ledger_repeats_dropped";

  private JobMetrics() {}

  public static Counter counter(String name) {
    return Metrics.counter(NAMESPACE, name);
  }

  public static Gauge gauge(String name) {
    return Metrics.gauge(NAMESPACE, name);
  }

  public static Distribution distribution(String name) {
    return Metrics.distribution(NAMESPACE, name);
  }
}
