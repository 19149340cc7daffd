package massfetch.pipeline;

import massfetch.fetch.Distribute;
import massfetch.fetch.FetchAndStore;
import massfetch.manifest.ReadManifest;
import massfetch.model.FetchResult;
import massfetch.results.WriteResults;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * The job: read the manifest, spread and de-duplicate it, fetch and store every entry, and write
 * one result per manifest entry (invalid lines and repeats included) plus the summary.
 */
public final class MassfetchPipeline {
  private MassfetchPipeline() {}

  /** Builds the job into {@code p}; {@code startMillis} is when the run began, for the summary. */
  public static Pipeline build(Pipeline p, MassfetchOptions options, long startMillis) {
    PCollectionTuple manifest =
        p.apply("ReadManifest",
            ReadManifest.from(options.getManifest())
                .withBaseUrl(options.getBaseUrl())
                .withMaxLineBytes(options.getMaxLineBytes()));

    PCollectionTuple spread =
        manifest.get(ReadManifest.REQUESTS)
            .apply("Distribute",
                Distribute.intoGroups(Distribute.groupsFor(
                    ManifestSize.estimateEntries(options.getManifest()),
                    options.getGroupSize(),
                    options.getMinGroups())));

    PCollection<FetchResult> fetched =
        spread.get(Distribute.REQUESTS)
            .apply("FetchAndStore",
                FetchAndStore.to(Configs.sink(options)).withFetchConfig(Configs.fetch(options)));

    PCollectionList.of(manifest.get(ReadManifest.INVALID))
        .and(spread.get(Distribute.DUPLICATES))
        .and(fetched)
        .apply("AllResults", Flatten.pCollections())
        .apply("WriteResults", WriteResults.to(options.getResults()).withStartMillis(startMillis));
    return p;
  }
}
