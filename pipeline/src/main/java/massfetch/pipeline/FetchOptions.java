package massfetch.pipeline;

import java.util.List;
import massfetch.fetch.FetchConfig;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How workers fetch: concurrency, timeouts, retries, validation. */
public interface FetchOptions extends PipelineOptions {
  @Description("Requests in flight at once per worker JVM (the limit that protects the provider and"
      + " memory). 'auto' finds what the provider sustains (grows while answers stay fast, backs off"
      + " on 429/503, timeouts and rising latency), up to " + Configs.AUTO_CEILING + "; 'auto:N' caps it at N.")
  @Default.String("" + FetchConfig.DEFAULT_MAX_IN_FLIGHT)
  String getMaxInFlight();

  void setMaxInFlight(String value);

  @Description("Open connections per host per worker JVM; 0 means --maxInFlight.")
  @Default.Integer(FetchConfig.DEFAULT_MAX_CONNECTIONS_PER_HOST)
  int getMaxConnectionsPerHost();

  void setMaxConnectionsPerHost(int value);

  @Description("Connect timeout, milliseconds.")
  @Default.Integer(FetchConfig.DEFAULT_CONNECT_TIMEOUT_MS)
  int getConnectTimeoutMs();

  void setConnectTimeoutMs(int value);

  @Description("Deadline for a whole response, body included, milliseconds.")
  @Default.Integer(FetchConfig.DEFAULT_REQUEST_TIMEOUT_MS)
  int getRequestTimeoutMs();

  void setRequestTimeoutMs(int value);

  @Description("Requests per entry before it fails (connect errors, resets, timeouts, truncation, 408, 429, 5xx are retried).")
  @Default.Integer(FetchConfig.DEFAULT_MAX_ATTEMPTS)
  int getMaxAttempts();

  void setMaxAttempts(int value);

  @Description("First retry backoff ceiling, milliseconds (doubles per retry, full jitter).")
  @Default.Integer(FetchConfig.DEFAULT_INITIAL_BACKOFF_MS)
  int getInitialBackoffMs();

  void setInitialBackoffMs(int value);

  @Description("Largest retry backoff, milliseconds.")
  @Default.Integer(FetchConfig.DEFAULT_MAX_BACKOFF_MS)
  int getMaxBackoffMs();

  void setMaxBackoffMs(int value);

  @Description("Largest Retry-After honoured, milliseconds.")
  @Default.Integer(FetchConfig.DEFAULT_MAX_RETRY_AFTER_MS)
  int getMaxRetryAfterMs();

  void setMaxRetryAfterMs(int value);

  @Description("Redirects followed per request.")
  @Default.Integer(FetchConfig.DEFAULT_MAX_REDIRECTS)
  int getMaxRedirects();

  void setMaxRedirects(int value);

  @Description("Largest object accepted, bytes; a larger body is aborted as too_large.")
  @Default.Long(FetchConfig.DEFAULT_MAX_OBJECT_BYTES)
  long getMaxObjectBytes();

  void setMaxObjectBytes(long value);

  @Description("Store bodies that are not images by their magic bytes.")
  @Default.Boolean(FetchConfig.DEFAULT_ACCEPT_ANY_CONTENT)
  boolean getAcceptAnyContent();

  void setAcceptAnyContent(boolean value);

  @Description("Skip entries whose object is already stored (no request is sent for them).")
  @Default.Boolean(FetchConfig.DEFAULT_SKIP_EXISTING)
  boolean getSkipExisting();

  void setSkipExisting(boolean value);

  @Description("HTTP requests per second for the whole job, retries and redirect hops included; 0 means"
      + " no limit. Split over the job's --parallelism: each subtask's share goes to the JVM that runs it"
      + " (set --parallelism on Flink, or each TaskManager takes the whole budget).")
  @Default.Double(FetchConfig.DEFAULT_MAX_REQUESTS_PER_SECOND)
  double getMaxRequestsPerSecond();

  void setMaxRequestsPerSecond(double value);

  @Description("How long a host that fails every request (paused after repeated 429/5xx or connection"
      + " errors, probed now and then) is waited for before its entries fail as host_unavailable,"
      + " milliseconds.")
  @Default.Integer(FetchConfig.DEFAULT_HOST_UNAVAILABLE_AFTER_MS)
  int getHostUnavailableAfterMs();

  void setHostUnavailableAfterMs(int value);

  @Description("First spacing between requests to one host that answers with a storm of 429/503 or"
      + " connection errors, milliseconds (doubles while the storm lasts).")
  @Default.Integer(FetchConfig.DEFAULT_HOST_BACKOFF_MS)
  int getHostBackoffMs();

  void setHostBackoffMs(int value);

  @Description("Troubled answers in a row (429/502/503/504, connection errors, timeouts; no success"
      + " between) from one host that pause it: then only a probe request goes now and then.")
  @Default.Integer(FetchConfig.DEFAULT_HOST_FAILURES_TO_OPEN)
  int getHostFailuresToOpen();

  void setHostFailuresToOpen(int value);

  @Description("How long a paused host waits before one probe request is let through, milliseconds.")
  @Default.Integer(FetchConfig.DEFAULT_HOST_COOLDOWN_MS)
  int getHostCooldownMs();

  void setHostCooldownMs(int value);

  // --userAgent is Beam's own PipelineOptions property; Configs uses it when it is not Beam's default.

  @Description("Extra request header, Name:Value; repeat the option for several. A value may hold commas"
      + " (Accept:image/avif,image/webp); a comma followed by Name: starts another header. Sent only to"
      + " --headerHosts, never over http after https. Values are never logged.")
  List<String> getHeader();

  void setHeader(List<String> value);

  @Description("Extra request header whose value is read from an environment variable on each worker,"
      + " Name:ENV_VAR (keeps tokens out of the job's options); repeatable.")
  List<String> getHeaderFromEnv();

  void setHeaderFromEnv(List<String> value);

  @Description("Hosts requests may go to (comma-separated; *.example.com for subdomains; host:port for"
      + " one port), checked on every redirect too. Hosts named here may resolve to private addresses."
      + " Default: the host of --baseUrl when given, else any public host.")
  List<String> getAllowedHosts();

  void setAllowedHosts(List<String> value);

  @Description("Where --header and --headerFromEnv values may go (comma-separated hosts, host:port,"
      + " *.example.com, or origins scheme://host:port). Default: the origin of --baseUrl when given,"
      + " else the origin of each entry's own URL; never a redirect elsewhere, never http after https.")
  List<String> getHeaderHosts();

  void setHeaderHosts(List<String> value);

  @Description("Let requests reach loopback, link-local (cloud metadata), private, unique-local,"
      + " multicast and unspecified addresses although --allowedHosts does not name their host."
      + " Checked on the address connected to, so DNS cannot get round it.")
  @Default.Boolean(FetchConfig.DEFAULT_ALLOW_PRIVATE_ADDRESSES)
  boolean getAllowPrivateAddresses();

  void setAllowPrivateAddresses(boolean value);

  @Description("Body bytes held in memory at once per worker JVM; while more are held, new requests"
      + " wait. 0 means a quarter of the JVM's maximum heap.")
  @Default.Long(FetchConfig.DEFAULT_MAX_BYTES_IN_FLIGHT)
  long getMaxBytesInFlight();

  void setMaxBytesInFlight(long value);

  @Description("A PEM file of certificate authorities to trust for https instead of the JVM's"
      + " defaults (e.g. a provider's private CA). Host names are always verified; there is no"
      + " option to trust every certificate.")
  String getTrustStore();

  void setTrustStore(String value);
}
