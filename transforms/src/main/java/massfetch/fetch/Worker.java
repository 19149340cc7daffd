package massfetch.fetch;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import massfetch.sink.ObjectSink;
import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;

/**
 * Everything one worker JVM shares between its DoFn instances: the HTTP client and its connection
 * pool, the in-flight limiter, the retry timer and the sink. Made once per configuration by {@link
 * SharedWorkers}.
 */
final class Worker implements AutoCloseable {
  final InFlightLimiter limiter;
  final EntryFetcher fetcher;
  private final HttpFetcher http;
  private final ObjectSink sink;
  private final ScheduledExecutorService timer;

  Worker(FetchConfig fetch, SinkConfig sinkConfig) {
    this.limiter = new InFlightLimiter(fetch.maxInFlight());
    this.sink = ObjectSinks.open(sinkConfig);
    this.http = new HttpFetcher(fetch, fetch.adaptiveInFlight() ? new AdaptiveInFlight(limiter) : null);
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
    this.fetcher = new EntryFetcher(fetch, http, sink, new RetryPolicy(fetch), timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    http.close();
    sink.close();
  }
}
