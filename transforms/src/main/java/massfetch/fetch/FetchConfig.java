package massfetch.fetch;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;

/** How workers fetch: limits, timeouts, retries and validation. Defaults are the {@code DEFAULT_} constants. */
@AutoValue
public abstract class FetchConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  // Defaults, written only here: the builder starts from them and FetchOptions' @Default
  // annotations name them, so a worker built from options and one built in a test agree.
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 0;
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final int DEFAULT_INITIAL_BACKOFF_MS = 200;
  public static final int DEFAULT_MAX_BACKOFF_MS = 30_000;
  public static final int DEFAULT_MAX_RETRY_AFTER_MS = 120_000;
  public static final int DEFAULT_MAX_REDIRECTS = 5;
  public static final long DEFAULT_MAX_OBJECT_BYTES = 64L << 20;
  public static final boolean DEFAULT_ACCEPT_ANY_CONTENT = false;
  public static final boolean DEFAULT_SKIP_EXISTING = true;
  public static final boolean DEFAULT_ALLOW_PRIVATE_ADDRESSES = false;
  public static final long DEFAULT_MAX_BYTES_IN_FLIGHT = 0;
  public static final double DEFAULT_MAX_REQUESTS_PER_SECOND = 0;
  public static final int DEFAULT_HOST_BACKOFF_MS = 50;
  public static final int DEFAULT_HOST_FAILURES_TO_OPEN = 20;
  public static final int DEFAULT_HOST_COOLDOWN_MS = 10_000;
  public static final int DEFAULT_HOST_UNAVAILABLE_AFTER_MS = 600_000;

  /** Requests in flight at once in one worker JVM, across all DoFn instances. */
  public abstract int maxInFlight();

  /**
   * Find the in-flight limit by itself ({@code --maxInFlight=auto}), with {@link #maxInFlight()} as
   * the ceiling; see {@link AdaptiveLimit}.
   */
  public abstract boolean adaptiveInFlight();

  /** Open connections to one host; 0 means {@link #maxInFlight()}. */
  public abstract int maxConnectionsPerHost();

  public abstract int connectTimeoutMs();

  /** Deadline for a whole response, body included: a trickling or silent server is cut off. */
  public abstract int requestTimeoutMs();

  /** Requests per entry before it fails, counting the first (redirect hops are not counted). */
  public abstract int maxAttempts();

  public abstract int initialBackoffMs();

  public abstract int maxBackoffMs();

  /** Cap on a server's {@code Retry-After}, so one header cannot park a request for hours. */
  public abstract int maxRetryAfterMs();

  public abstract int maxRedirects();

  public abstract long maxObjectBytes();

  /** Store any body, not only ones whose magic bytes say image. */
  public abstract boolean acceptAnyContent();

  /** Do not fetch entries whose object is already stored. */
  public abstract boolean skipExisting();

  public abstract String userAgent();

  /** Extra request headers as {@code Name: Value}; values are secrets and never logged. */
  public abstract List<String> headers();

  /** Extra request headers as {@code Name:ENV_VAR}, the value read on the worker; never logged. */
  public abstract List<String> headersFromEnv();

  /**
   * Hosts requests may go to, checked on every request and redirect hop, as {@link HostRule}s
   * ({@code *.example.com} matches subdomains, {@code host:port} one port). Empty: any host. Hosts
   * named here may resolve to private addresses.
   */
  public abstract List<String> allowedHosts();

  /**
   * Where {@link #headers()} and {@link #headersFromEnv()} may go, as {@link HostRule}s (an origin
   * {@code https://host:port}, a host, {@code host:port}, {@code *.example.com}). Empty: only to the
   * origin (scheme, host, port) of each entry's own manifest URL, never to a redirect elsewhere.
   * Never over http once an entry's request went over https.
   */
  public abstract List<String> headerHosts();

  /**
   * Let requests reach loopback, link-local, private, unique-local, multicast and unspecified
   * addresses even for hosts {@link #allowedHosts()} does not name (checked on the addresses
   * connected to).
   */
  public abstract boolean allowPrivateAddresses();

  /**
   * Body bytes held in memory at once by one worker JVM, across its requests; while more are held,
   * new requests wait. 0: a quarter of the JVM's maximum heap.
   */
  public abstract long maxBytesInFlight();

  /**
   * Certificate authorities to trust for https, as PEM text ({@link TrustedCertificates}), instead of
   * the JVM's defaults; null keeps the defaults. Host names are verified either way.
   */
  @Nullable
  public abstract String trustedCertificatesPem();

  /**
   * HTTP requests per second for the whole job, every request counted (retries and redirect hops
   * too); 0 means no limit. Split over the job's DoFn instances, see {@link #rateShares()}.
   */
  public abstract double maxRequestsPerSecond();

  /**
   * How many DoFn instances the job runs (its parallelism): each instance brings its JVM a share of
   * {@link #maxRequestsPerSecond()} of {@code 1 / rateShares}; 1 when unknown (one JVM, e.g. the
   * DirectRunner).
   */
  public abstract int rateShares();

  /** First spacing between requests to a host that answers with a storm of 429/503 or errors. */
  public abstract int hostBackoffMs();

  /** Troubled answers in a row (no success between) from one host that pause it (circuit open). */
  public abstract int hostFailuresToOpen();

  /** How long a paused host waits before one probe request is let through. */
  public abstract int hostCooldownMs();

  /**
   * How long a host may stay paused before its waiting entries fail as {@code host_unavailable},
   * counted from the pause's start; probes go on, so a host that comes back is used again.
   */
  public abstract int hostUnavailableAfterMs();

  public static Builder builder() {
    return new AutoValue_FetchConfig.Builder()
        .setMaxInFlight(DEFAULT_MAX_IN_FLIGHT)
        .setAdaptiveInFlight(false)
        .setMaxConnectionsPerHost(DEFAULT_MAX_CONNECTIONS_PER_HOST)
        .setConnectTimeoutMs(DEFAULT_CONNECT_TIMEOUT_MS)
        .setRequestTimeoutMs(DEFAULT_REQUEST_TIMEOUT_MS)
        .setMaxAttempts(DEFAULT_MAX_ATTEMPTS)
        .setInitialBackoffMs(DEFAULT_INITIAL_BACKOFF_MS)
        .setMaxBackoffMs(DEFAULT_MAX_BACKOFF_MS)
        .setMaxRetryAfterMs(DEFAULT_MAX_RETRY_AFTER_MS)
        .setMaxRedirects(DEFAULT_MAX_REDIRECTS)
        .setMaxObjectBytes(DEFAULT_MAX_OBJECT_BYTES)
        .setAcceptAnyContent(DEFAULT_ACCEPT_ANY_CONTENT)
        .setSkipExisting(DEFAULT_SKIP_EXISTING)
        .setUserAgent(UserAgent.DEFAULT)
        .setHeaders(List.of())
        .setHeadersFromEnv(List.of())
        .setAllowedHosts(List.of())
        .setHeaderHosts(List.of())
        .setAllowPrivateAddresses(DEFAULT_ALLOW_PRIVATE_ADDRESSES)
        .setMaxBytesInFlight(DEFAULT_MAX_BYTES_IN_FLIGHT)
        .setTrustedCertificatesPem(null)
        .setMaxRequestsPerSecond(DEFAULT_MAX_REQUESTS_PER_SECOND)
        .setRateShares(1)
        .setHostBackoffMs(DEFAULT_HOST_BACKOFF_MS)
        .setHostFailuresToOpen(DEFAULT_HOST_FAILURES_TO_OPEN)
        .setHostCooldownMs(DEFAULT_HOST_COOLDOWN_MS)
        .setHostUnavailableAfterMs(DEFAULT_HOST_UNAVAILABLE_AFTER_MS);
  }

  public abstract Builder toBuilder();

  /** {@link #maxBytesInFlight()} actually used. */
  public long effectiveMaxBytesInFlight() {
    return maxBytesInFlight() > 0 ? maxBytesInFlight() : Runtime.getRuntime().maxMemory() / 4;
  }

  /** Connections per host actually used. */
  public int effectiveConnectionsPerHost() {
    return maxConnectionsPerHost() > 0 ? maxConnectionsPerHost() : maxInFlight();
  }

  /** Builder for {@link FetchConfig}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setMaxInFlight(int n);

    public abstract Builder setAdaptiveInFlight(boolean adaptive);

    public abstract Builder setMaxConnectionsPerHost(int n);

    public abstract Builder setConnectTimeoutMs(int ms);

    public abstract Builder setRequestTimeoutMs(int ms);

    public abstract Builder setMaxAttempts(int n);

    public abstract Builder setInitialBackoffMs(int ms);

    public abstract Builder setMaxBackoffMs(int ms);

    public abstract Builder setMaxRetryAfterMs(int ms);

    public abstract Builder setMaxRedirects(int n);

    public abstract Builder setMaxObjectBytes(long bytes);

    public abstract Builder setAcceptAnyContent(boolean accept);

    public abstract Builder setSkipExisting(boolean skip);

    public abstract Builder setUserAgent(String userAgent);

    public abstract Builder setHeaders(List<String> headers);

    public abstract Builder setHeadersFromEnv(List<String> headersFromEnv);

    public abstract Builder setAllowedHosts(List<String> hosts);

    public abstract Builder setHeaderHosts(List<String> hosts);

    public abstract Builder setAllowPrivateAddresses(boolean allow);

    public abstract Builder setMaxBytesInFlight(long bytes);

    public abstract Builder setTrustedCertificatesPem(@Nullable String pem);

    public abstract Builder setMaxRequestsPerSecond(double perSecond);

    public abstract Builder setRateShares(int shares);

    public abstract Builder setHostBackoffMs(int ms);

    public abstract Builder setHostFailuresToOpen(int n);

    public abstract Builder setHostCooldownMs(int ms);

    public abstract Builder setHostUnavailableAfterMs(int ms);

    abstract FetchConfig autoBuild();

    public FetchConfig build() {
      FetchConfig c = autoBuild();
      check(c.maxInFlight() >= 1, "maxInFlight must be at least 1");
      check(c.maxAttempts() >= 1, "maxAttempts must be at least 1");
      check(c.connectTimeoutMs() >= 1, "connectTimeoutMs must be positive");
      check(c.requestTimeoutMs() >= 1, "requestTimeoutMs must be positive");
      check(c.maxRedirects() >= 0, "maxRedirects must not be negative");
      check(c.maxObjectBytes() >= 1, "maxObjectBytes must be positive");
      check(c.initialBackoffMs() >= 0 && c.maxBackoffMs() >= 0, "backoff must not be negative");
      check(c.maxRequestsPerSecond() >= 0 && Double.isFinite(c.maxRequestsPerSecond()),
          "maxRequestsPerSecond must not be negative (0 means no limit)");
      check(c.rateShares() >= 1, "rateShares (the job's parallelism) must be at least 1");
      check(c.hostBackoffMs() >= 1, "--hostBackoffMs must be at least 1 (milliseconds), got " + c.hostBackoffMs());
      check(c.hostFailuresToOpen() >= 1, "--hostFailuresToOpen must be at least 1, got " + c.hostFailuresToOpen());
      check(c.hostCooldownMs() >= 1, "--hostCooldownMs must be at least 1 (milliseconds), got " + c.hostCooldownMs());
      check(c.hostUnavailableAfterMs() >= 1, "hostUnavailableAfterMs must be positive");
      for (String h : c.headers()) {
        check(h.indexOf(':') > 0, "header must look like Name:Value (value not shown)");
      }
      check(c.maxBytesInFlight() >= 0, "maxBytesInFlight must not be negative (0: a quarter of the heap)");
      checkRules("--allowedHosts", c.allowedHosts());
      checkRules("--headerHosts", c.headerHosts());
      for (String h : c.headersFromEnv()) {
        int colon = h.indexOf(':');
        check(colon > 0 && colon < h.length() - 1, "headerFromEnv must look like Name:ENV_VAR, got '" + h + "'");
      }
      return c;
    }

    private static void checkRules(String option, List<String> rules) {
      for (String r : rules) {
        try {
          if (!r.isBlank()) {
            HostRule.parse(r);
          }
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
      }
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
