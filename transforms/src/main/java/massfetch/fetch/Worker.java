package massfetch.fetch;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import massfetch.sink.ObjectSink;
import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;

/**
 * Everything one worker JVM shares between its DoFn instances: the HTTP client and its connection
 * pool, the in-flight limiter, the request budget, the hosts' health, the retry timer and the sink.
 * Made once per configuration by {@link SharedWorkers}.
 */
final class Worker implements AutoCloseable {
  final InFlightLimiter limiter;
  final EntryFetcher fetcher;
  /** This JVM's share of --maxRequestsPerSecond; null when there is no budget. */
  final RequestRateLimiter rate;
  private final FetchConfig config;
  private final HttpFetcher http;
  private final ObjectSink sink;
  /** The sink's pacing layer, for its gauges; null for a local folder. */
  final PacedSink paced;
  private final ScheduledExecutorService timer;

  Worker(FetchConfig fetch, SinkConfig sinkConfig) {
    this.config = fetch;
    this.limiter = new InFlightLimiter(fetch.maxInFlight());
    this.rate = fetch.maxRequestsPerSecond() > 0 ? new RequestRateLimiter(shareOf(fetch, 1)) : null;
    // The client first: it is what fails on a worker's own setup (a --headerFromEnv variable not
    // set there), and a sink opened before it would leak its threads on every task restart.
    this.http = new HttpFetcher(fetch, fetch.adaptiveInFlight() ? new AdaptiveInFlight(limiter) : null);
    ObjectSink opened;
    try {
      opened = ObjectSinks.open(sinkConfig);
    } catch (RuntimeException e) {
      http.close();
      throw e;
    }
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread thread = Executors.defaultThreadFactory().newThread(r);
              thread.setName("massfetch-retry-timer");
              thread.setDaemon(true);
              return thread;
            });
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.paced = PacedSink.paces(sinkConfig) ? new PacedSink(opened, sinkConfig, fetch, timer) : null;
    this.sink = paced != null ? paced : opened;
    this.fetcher =
        new EntryFetcher(fetch, http, sink, new RetryPolicy(fetch), timer, new HostHealth(fetch, timer), rate);
  }

  /** Called by {@link SharedWorkers} when the number of DoFn instances using this worker changes. */
  void leasesChanged(int leases) {
    if (rate != null && leases > 0) {
      rate.setRate(shareOf(config, leases));
    }
    if (paced != null && leases > 0) {
      paced.leasesChanged(leases);
    }
  }

  /**
   * The requests per second of a JVM used by {@code leases} DoFn instances: each instance is one of
   * the job's {@link FetchConfig#rateShares()} (its parallelism) and brings an equal share, so on
   * Flink a TaskManager running 3 of 8 subtasks gets 3/8 of the budget, however the slots are spread
   * over TaskManagers. Never more than the whole budget: a runner that makes more instances than its
   * parallelism in one JVM (the DirectRunner makes one per thread) cannot exceed it here.
   */
  static double shareOf(FetchConfig config, int leases) {
    double budget = config.maxRequestsPerSecond();
    return Math.min(budget, budget * leases / config.rateShares());
  }

  @Override
  public void close() {
    timer.shutdownNow();
    http.close();
    sink.close();
  }
}
