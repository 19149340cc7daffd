package massfetch.fetch;

import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.results.ResultsLedger;
import massfetch.shard.ShardConfig;
import massfetch.sink.SinkConfig;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Fetches each {@link FetchRequest} over HTTP and stores the validated bytes in the output's {@link
 * massfetch.sink.ObjectSink}, emitting exactly one {@link FetchResult} per request. Image bytes go
 * from the response to the sink and never enter a PCollection.
 *
 * <pre>{@code
 * PCollection<FetchResult> results =
 *     requests.apply("FetchAndStore",
 *         FetchAndStore.to(SinkConfig.builder().setOutput("gs://bucket/images").build())
 *             .withFetchConfig(FetchConfig.builder().setMaxInFlight(512).build()));
 * }</pre>
 *
 * <p>Requests should be spread over workers in groups (see {@code Distribute}): the in-flight limit
 * is per worker JVM, and a runner that hands out bundles of one element would otherwise wait for
 * each fetch at the end of its bundle.
 */
public final class FetchAndStore extends PTransform<PCollection<FetchRequest>, PCollection<FetchResult>> {
  private static final long serialVersionUID = 1L;

  private final SinkConfig sink;
  private final FetchConfig fetch;
  private final ResultsLedger ledger;
  private final ShardConfig shards;

  private FetchAndStore(SinkConfig sink, FetchConfig fetch, ResultsLedger ledger, ShardConfig shards) {
    this.sink = sink;
    this.fetch = fetch;
    this.ledger = ledger;
    this.shards = shards;
  }

  /** Stores into the sink that {@code sink} describes, with default fetch settings. */
  public static FetchAndStore to(SinkConfig sink) {
    return new FetchAndStore(sink, FetchConfig.builder().build(), null, null);
  }

  public FetchAndStore withFetchConfig(FetchConfig fetch) {
    return new FetchAndStore(sink, fetch, ledger, shards);
  }

  /**
   * Also publishes each result into {@code ledger}'s files as it completes, from the fetching
   * thread: give the output to {@code WriteLedger.withPublishedBy}, which counts it without writing
   * it again. A crash then loses at most the ledger's roll per worker thread, on every runner; a
   * step after the fetch would see its results only when the bundle ends, which on the DirectRunner
   * is a whole work group.
   */
  public FetchAndStore withLedger(ResultsLedger ledger) {
    return new FetchAndStore(sink, fetch, ledger, shards);
  }

  /**
   * Writes images into tar shards under {@code <output>/shards/} instead of one object each; null
   * for objects.
   */
  public FetchAndStore withShards(ShardConfig shards) {
    return new FetchAndStore(sink, fetch, ledger, shards);
  }

  @Override
  public PCollection<FetchResult> expand(PCollection<FetchRequest> requests) {
    return requests.apply("FetchAndStoreFn", ParDo.of(new FetchAndStoreFn(fetch, sink, ledger, shards)));
  }
}
