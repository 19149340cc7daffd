package massfetch.fetch;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import massfetch.metrics.JobMetrics;
import massfetch.metrics.ResultCounter;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.results.LedgerWriter;
import massfetch.results.ResultsLedger;
import massfetch.shard.IndexEntry;
import massfetch.shard.PublishedShardKeys;
import massfetch.shard.ShardConfig;
import massfetch.shard.ShardStore;
import massfetch.shard.ShardStores;
import massfetch.shard.ShardedOutput;
import massfetch.sink.SinkConfig;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a fetch for each element as it arrives and emits results as they complete, on the DoFn
 * thread. The JVM-wide {@link InFlightLimiter} is the only thing that makes {@code processElement}
 * wait; while it waits it emits whatever has completed, so results stream out even when a runner
 * puts the whole input in one bundle (Flink batch). {@code finishBundle} waits for the rest.
 *
 * <p>With a results ledger, results are also published into its files right here, as they
 * complete: a runner hands a step's output on only when the bundle ends (the DirectRunner always),
 * and a bundle may be a worker's whole share, which a crash would lose. They are still output, for
 * Flink's live record count (progress) and so that the job knows when the fetch has ended.
 *
 * <p>In tar mode each instance writes its own shards ({@link ShardedOutput}); an {@code ok} result
 * waits until its shard is published (at most one shard's worth, or the end of the bundle).
 */
class FetchAndStoreFn extends DoFn<FetchRequest, FetchResult> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FetchAndStoreFn.class);
  private static final long POLL_MS = 20;

  private final FetchConfig fetchConfig;
  private final SinkConfig sinkConfig;
  private final ResultsLedger ledger;
  /** Null for one object per image. */
  private final ShardConfig shards;

  private final Counter bytesStored = JobMetrics.counter(JobMetrics.BYTES_STORED);
  private final Counter httpRequests = JobMetrics.counter(JobMetrics.HTTP_REQUESTS);
  private final Counter inFlightArea = JobMetrics.counter(JobMetrics.IN_FLIGHT_AREA_MS);
  private final Gauge inFlight = JobMetrics.gauge(JobMetrics.IN_FLIGHT);
  private final Gauge inFlightLimit = JobMetrics.gauge(JobMetrics.IN_FLIGHT_LIMIT);
  private final Gauge uploadsInFlight = JobMetrics.gauge(JobMetrics.UPLOADS_IN_FLIGHT);
  private final Gauge uploadsInFlightLimit = JobMetrics.gauge(JobMetrics.UPLOADS_IN_FLIGHT_LIMIT);
  private final Counter storeSlowDowns = JobMetrics.counter(JobMetrics.STORE_SLOW_DOWNS);
  private final Distribution latency = JobMetrics.distribution(JobMetrics.FETCH_LATENCY_MS);
  private final ResultCounter results = new ResultCounter();

  private transient SharedWorkers.Lease lease;
  private transient LinkedBlockingQueue<Completed> completed;
  private transient Queue<Completed> otherWindows;
  private transient int pending;
  private transient LedgerWriter writer;
  private transient ShardStore shardStore;
  private transient ShardedOutput<Completed> sharded;
  private transient PublishedShardKeys publishedShards;
  /** Whether this instance has read the published shards yet. */
  private transient boolean shardsRead;

  /**
   * {@code ledger} null: results are only output; otherwise they are also published into it.
   * {@code shards} null: one object per image.
   */
  FetchAndStoreFn(FetchConfig fetchConfig, SinkConfig sinkConfig, ResultsLedger ledger, ShardConfig shards) {
    this.fetchConfig = fetchConfig;
    this.sinkConfig = sinkConfig;
    this.ledger = ledger;
    this.shards = shards;
  }

  @Setup
  public void setup() {
    lease = SharedWorkers.acquire(fetchConfig, sinkConfig);
    if (ledger != null) {
      writer = new LedgerWriter(ledger);
    }
    if (shards != null) {
      shardStore = ShardStores.open(sinkConfig, shards.partBytes());
      if (fetchConfig.skipExisting()) {
        // Since the run's start (less the clocks' margin): a restarted task's earlier attempts.
        publishedShards = PublishedShardKeys.of(sinkConfig.output(), sinkConfig.staleTempBefore());
      }
    }
  }

  @StartBundle
  public void startBundle() {
    completed = new LinkedBlockingQueue<>();
    otherWindows = new ArrayDeque<>();
    pending = 0;
    if (writer != null) {
      writer.startBundle();
    }
    if (shardStore != null) {
      // The first bundle of this instance (a task deployed anew, as after a failover) and any bundle
      // after a failed one (its shards are still here) read what earlier attempts published; the
      // others need not list the shards again.
      if (publishedShards != null && (!shardsRead || sharded != null)) {
        publishedShards.refresh();
        shardsRead = true;
      }
      abortShards(); // a failed bundle's unpublished shards
      sharded = new ShardedOutput<>(shardStore, shards, publishedShards);
    }
  }

  @ProcessElement
  public void processElement(
      @Element FetchRequest request,
      @Timestamp Instant timestamp,
      BoundedWindow window,
      OutputReceiver<FetchResult> out)
      throws InterruptedException, IOException {
    Worker worker = lease.worker();
    emitCompleted(out, window, 0);
    while (!worker.limiter.tryAcquire(POLL_MS)) {
      emitCompleted(out, window, 0);
    }
    pending++;
    (sharded != null ? worker.fetcher.fetch(request, sharded) : worker.fetcher.fetch(request))
        .whenComplete(
            (result, error) -> {
              worker.limiter.release();
              completed.add(new Completed(request, result, error, timestamp, window));
            });
    reportLoad(worker);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException, IOException {
    Worker worker = lease.worker();
    long lastLog = System.nanoTime();
    while (!otherWindows.isEmpty()) {
      Completed c = otherWindows.remove();
      context.output(c.result, c.timestamp, c.window);
    }
    while (pending > 0) {
      Completed c = completed.poll(1, TimeUnit.SECONDS);
      if (c != null) {
        pending--;
        for (Completed ready : settle(c, account(c))) {
          publish(ready.result);
          context.output(ready.result, ready.timestamp, ready.window);
        }
      } else if (System.nanoTime() - lastLog > TimeUnit.SECONDS.toNanos(60)) {
        // Every fetch has deadlines, so this ends; the line says what the bundle waits for.
        LOG.info("bundle waiting for {} fetches still in flight", pending);
        lastLog = System.nanoTime();
      }
      reportLoad(worker);
    }
    if (sharded != null) {
      for (Completed ready : released(sharded.publishAll())) {
        publish(ready.result);
        context.output(ready.result, ready.timestamp, ready.window);
      }
      sharded = null; // the bundle finished: nothing of it is left to abort
    }
    if (writer != null) {
      writer.finishBundle();
    }
  }

  @Teardown
  public void teardown() throws IOException {
    try {
      if (writer != null) {
        writer.discard();
      }
    } finally {
      abortShards();
      if (shardStore != null) {
        shardStore.close();
        shardStore = null;
      }
      if (lease != null) {
        lease.close();
        lease = null;
      }
    }
  }

  /** Emits completed results of this window, waiting up to {@code waitMs} for the first one. */
  private void emitCompleted(OutputReceiver<FetchResult> out, BoundedWindow window, long waitMs)
      throws InterruptedException, IOException {
    Completed c = waitMs > 0 ? completed.poll(waitMs, TimeUnit.MILLISECONDS) : completed.poll();
    while (c != null) {
      pending--;
      for (Completed ready : settle(c, account(c))) {
        publish(ready.result);
        if (ready.window.equals(window)) {
          out.outputWithTimestamp(ready.result, ready.timestamp);
        } else {
          // Output in processElement goes to the current element's window; others wait for finish.
          otherWindows.add(ready);
        }
      }
      c = completed.poll();
    }
    if (writer != null) {
      writer.publishIfDue();
    }
  }

  /** Writes {@code result} into the ledger, if there is one. */
  private void publish(FetchResult result) throws IOException {
    if (writer != null) {
      writer.write(result);
    }
  }

  /**
   * The results ready to emit once {@code c} completed with {@code result}: itself, or in tar mode
   * for an image stored in a shard, nothing until that shard is published, then all of the shard's.
   */
  private List<Completed> settle(Completed c, FetchResult result) throws IOException {
    Completed done = new Completed(c.request, result, null, c.timestamp, c.window);
    if (sharded == null || result.getStatus() != Status.OK) {
      return List.of(done);
    }
    return released(sharded.hold(result.getKey(), done));
  }

  /** The held results of published shards, each pointing at its image in the published shard. */
  private static List<Completed> released(List<ShardedOutput.Published<Completed>> published) {
    List<Completed> ready = new ArrayList<>();
    for (ShardedOutput.Published<Completed> shard : published) {
      Map<String, IndexEntry> byKey = new HashMap<>();
      for (IndexEntry e : shard.index()) {
        byKey.put(e.key(), e);
      }
      for (Completed c : shard.held()) {
        IndexEntry e = byKey.get(c.result.getKey());
        if (e == null) {
          throw new IllegalStateException("published shard index lacks " + c.result.getKey());
        }
        // A retried bundle may find its keys' shard published by the attempt before: the record
        // then describes that copy.
        FetchResult r = c.result.toBuilder()
            .setShard(ShardStore.FOLDER + "/" + e.shard())
            .setOffset(e.offset())
            .setBytes(e.length())
            .setMd5(e.md5())
            .build();
        ready.add(new Completed(c.request, r, null, c.timestamp, c.window));
      }
    }
    return ready;
  }

  private void abortShards() {
    if (sharded != null) {
      sharded.close();
      sharded = null;
    }
  }

  /** Turns a completion into its result and counts it; rethrows a store-wide failure. */
  private FetchResult account(Completed c) {
    if (c.error != null) {
      Throwable cause = c.error.getCause() != null ? c.error.getCause() : c.error;
      if (cause instanceof massfetch.sink.StoreUnavailableException) {
        // The worker cannot store anything: fail the bundle so the runner retries it (writes are
        // idempotent), rather than failing every remaining entry.
        throw (massfetch.sink.StoreUnavailableException) cause;
      }
      LOG.error("unexpected failure fetching {}", c.request.getUrl(), c.error);
      return results.count(FetchResult.forRequest(c.request)
          .setStatus(Status.FAILED)
          .setError(ErrorClass.HTTP_ERROR)
          .setDetail("internal error: " + cause.getClass().getSimpleName())
          .build());
    }
    FetchResult r = c.result;
    httpRequests.inc(r.getAttempts());
    if (r.getStatus() == Status.OK) {
      bytesStored.inc(r.getBytes());
      latency.update(r.getElapsedMs());
    }
    return results.count(r);
  }

  private void reportLoad(Worker worker) {
    inFlight.set(worker.limiter.inFlight());
    inFlightLimit.set(worker.limiter.limit());
    if (worker.paced != null) {
      uploadsInFlight.set(worker.paced.inFlight());
      uploadsInFlightLimit.set(worker.paced.inFlightLimit());
      long slowDowns = worker.paced.takeSlowDowns();
      if (slowDowns > 0) {
        storeSlowDowns.inc(slowDowns);
      }
    }
    long area = worker.limiter.takeAreaMs();
    if (area > 0) {
      inFlightArea.inc(area);
    }
  }

  /** A finished fetch waiting to be emitted on the DoFn thread. */
  private static final class Completed {
    final FetchRequest request;
    final FetchResult result;
    final Throwable error;
    final Instant timestamp;
    final BoundedWindow window;

    Completed(FetchRequest request, FetchResult result, Throwable error, Instant timestamp, BoundedWindow window) {
      this.request = request;
      this.result = result;
      this.error = error;
      this.timestamp = timestamp;
      this.window = window;
    }
  }
}
