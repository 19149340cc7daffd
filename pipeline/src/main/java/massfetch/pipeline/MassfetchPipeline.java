package massfetch.pipeline;

import massfetch.fetch.Distribute;
import massfetch.fetch.FetchAndStore;
import massfetch.manifest.ReadManifest;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.results.ResultsLedger;
import massfetch.results.SkipPublished;
import massfetch.results.WriteLedger;
import massfetch.resume.ExcludeDone;
import massfetch.resume.ReadDoneKeys;
import massfetch.resume.ReadShardIndexKeys;
import massfetch.shard.ShardConfig;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * The job: read the manifest, leave out what earlier runs stored (--previousResults only), spread and
 * de-duplicate it, fetch and store every entry, and write one result per manifest entry (invalid
 * lines, repeats and entries done before included) plus the summary.
 */
public final class MassfetchPipeline {
  private MassfetchPipeline() {}

  /** Builds the job into {@code p}; {@code startMillis} is when the run began, for the summary. */
  public static Pipeline build(Pipeline p, MassfetchOptions options, long startMillis) {
    PCollectionTuple manifest =
        p.apply("ReadManifest",
            ReadManifest.from(options.getManifest())
                .withBaseUrl(options.getBaseUrl())
                .withMaxLineBytes(options.getMaxLineBytes())
                .withOnlyFailed(options.getOnlyFailed())
                .withPathsEncoded("encoded".equals(options.getPathEncoding()))
                .withReservedFolder(ResultsOutput.keyFolderOf(options.getResults(), options.getOutput())));

    PCollection<FetchRequest> requests = manifest.get(ReadManifest.REQUESTS);
    PCollectionList<FetchResult> results = PCollectionList.of(manifest.get(ReadManifest.INVALID));
    // Only with --previousResults: every step here costs the DirectRunner time per entry.
    if (options.getPreviousResults() != null) {
      PCollection<String> doneKeys =
          p.apply("ReadDoneKeys", ReadDoneKeys.from(options.getPreviousResults()));
      // Buckets of about --groupSize keys, from both sides' file sizes: the join holds one
      // bucket's done keys in memory at a time.
      int buckets = Distribute.groupsFor(
          ManifestSize.estimateEntries(options.getManifest())
              + ManifestSize.estimateEntries(options.getPreviousResults()),
          options.getGroupSize(), options.getMinGroups());
      PCollectionTuple left =
          requests.apply("ExcludeDone", ExcludeDone.keysIn(doneKeys)
              .withBuckets(buckets)
              .withDetail("stored by an earlier run, recorded in " + options.getPreviousResults()));
      requests = left.get(ExcludeDone.REQUESTS);
      results = results.and(left.get(ExcludeDone.DONE));
    }
    ShardConfig shards = OutputFormat.shards(options);
    if (shards != null && options.getSkipExisting()) {
      // Tar mode: what is stored is what the published indexes list (one read per shard).
      PCollection<String> indexed = p.apply("ReadShardIndexKeys", ReadShardIndexKeys.under(options.getOutput()));
      PCollectionTuple left =
          requests.apply("ExcludeIndexed", ExcludeDone.keysIn(indexed)
              .withBuckets(Distribute.groupsFor(ManifestSize.estimateEntries(options.getManifest()),
                  options.getGroupSize(), options.getMinGroups()))
              .withDetail("already in a published shard under " + options.getOutput()));
      requests = left.get(ExcludeDone.REQUESTS);
      results = results.and(left.get(ExcludeDone.DONE));
    }

    PCollectionTuple spread =
        requests
            .apply("Distribute",
                Distribute.intoGroups(WorkGroups.of(options, shards)));

    PCollection<FetchRequest> toFetch = spread.get(Distribute.REQUESTS);
    ResultsLedger ledger = ledger(options);
    if (ledger.checksRepeats()) {
      toFetch = toFetch.apply("SkipPublished", SkipPublished.in(ledger));
    }
    PCollection<FetchResult> fetched =
        toFetch
            .apply("FetchAndStore",
                FetchAndStore.to(Configs.sink(options, startMillis)).withFetchConfig(Configs.fetch(options))
                    .withLedger(ledger).withShards(shards));

    // A writer per source, each in its producer's task; the fetch publishes its own: see WriteLedger.
    results.and(spread.get(Distribute.DUPLICATES))
        .apply("WriteResults", WriteLedger.to(ledger).withStartMillis(startMillis)
            .withOutput(ResultsOutput.canonical(options.getOutput())).withPublishedBy(fetched));
    return p;
  }

  /**
   * The results ledger, on every runner: results are published in rolled files as they come, so a
   * job that dies (a killed JVM, a lost cluster) leaves the results of its finished work for
   * {@code --previousResults}. Where a task may be restarted (Flink), a restarted task skips what
   * its run already published; the DirectRunner fails the job rather than retry a bundle, so it
   * does not look.
   */
  static ResultsLedger ledger(MassfetchOptions options) {
    ResultsLedger ledger = ResultsLedger.in(options.getResults())
        .withRollEvery(options.getResultsFileRecords(), options.getResultsFileSeconds());
    return "DirectRunner".equals(options.getRunner().getSimpleName()) ? ledger.withoutRetries() : ledger;
  }
}
