package massfetch.pipeline;

import massfetch.fetch.Distribute;
import massfetch.fetch.FetchAndStore;
import massfetch.manifest.ReadManifest;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.results.ResultsLedger;
import massfetch.results.SkipPublished;
import massfetch.results.WriteLedger;
import massfetch.results.WriteResults;
import massfetch.resume.ExcludeDone;
import massfetch.resume.ReadDoneKeys;
import massfetch.resume.ReadShardIndexKeys;
import massfetch.shard.ShardConfig;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
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
                Distribute.intoGroups(Distribute.groupsFor(
                    ManifestSize.estimateEntries(options.getManifest()),
                    options.getGroupSize(),
                    options.getMinGroups())));

    PCollection<FetchRequest> toFetch = spread.get(Distribute.REQUESTS);
    ResultsLedger ledger = ledger(options);
    if (ledger != null) {
      toFetch = toFetch.apply("SkipPublished", SkipPublished.in(ledger));
    }
    PCollection<FetchResult> fetched =
        toFetch
            .apply("FetchAndStore",
                FetchAndStore.to(Configs.sink(options, startMillis)).withFetchConfig(Configs.fetch(options))
                    .withShards(shards));

    PCollectionList<FetchResult> all = results.and(spread.get(Distribute.DUPLICATES)).and(fetched);
    if (ledger != null) {
      // A writer per source, each in its producer's task: see WriteLedger.
      all.apply("WriteResults", WriteLedger.to(ledger).withStartMillis(startMillis)
          .withOutput(ResultsOutput.canonical(options.getOutput())));
    } else {
      all.apply("AllResults", Flatten.pCollections())
          .apply("WriteResults", writeResults(options, startMillis));
    }
    return p;
  }

  /**
   * Off the DirectRunner, the results ledger: a task there may run for hours as one bundle (Flink
   * batch) and be restarted, so results are published in rolled files as they come and a restarted
   * task skips what its run already published. The DirectRunner never retries and ends bundles
   * often: its file per bundle is enough (null).
   */
  static ResultsLedger ledger(MassfetchOptions options) {
    if (isDirect(options)) {
      return null;
    }
    return ResultsLedger.in(options.getResults())
        .withRollEvery(options.getResultsFileRecords(), options.getResultsFileSeconds());
  }

  private static boolean isDirect(MassfetchOptions options) {
    return "DirectRunner".equals(options.getRunner().getSimpleName());
  }

  /**
   * On the DirectRunner a file per bundle: TextIO's sharded write is a GroupByKey there, which held
   * a 1M-entry run's in-flight gauge to 73-74 % of the cap. The DirectRunner fails a job rather than
   * retry a bundle, so no bundle's file is ever written twice; every other runner keeps TextIO.
   */
  static WriteResults writeResults(MassfetchOptions options, long startMillis) {
    WriteResults write = WriteResults.to(options.getResults()).withStartMillis(startMillis)
        .withOutput(ResultsOutput.canonical(options.getOutput()));
    return "DirectRunner".equals(options.getRunner().getSimpleName()) ? write.withBundleFiles() : write;
  }
}
