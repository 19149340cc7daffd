package massfetch.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.annotation.Nullable;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;

/**
 * The results ledger's writer: each input gets a {@link WriteLedgerFilesFn} of its own, applied
 * right where its results are made, and summary.json is read back from the published files once
 * every writer has ended ({@link SummarizeLedgerFn}).
 *
 * <p>A writer per input rather than one after a {@code Flatten}: on Flink the fetch stage's writer
 * then runs in the fetch's own task (chained), while behind a union each result waits in a network
 * buffer until the buffer is full, so a killed cluster loses far more work than the roll interval
 * (docs/design.md, "Measurements behind the code").
 * The fetch publishes its own results ({@code FetchAndStore.withLedger}), since on the DirectRunner
 * a step after it sees them only when the bundle ends: those are given to {@link #withPublishedBy},
 * counted and not written again, so the summary waits for them.
 *
 * <pre>{@code
 * PCollectionList.of(invalid).and(duplicates).and(fetched)
 *     .apply("WriteResults", WriteLedger.to(ledger).withStartMillis(start));
 * }</pre>
 */
public final class WriteLedger extends PTransform<PCollectionList<FetchResult>, PDone> {
  private static final long serialVersionUID = 1L;

  private final ResultsLedger ledger;
  private final long startMillis;
  private final @Nullable String output;
  /** Results their producer already published: only waited for (a PCollection is no field to serialise). */
  private final transient List<PCollection<FetchResult>> publishedBy;

  private WriteLedger(ResultsLedger ledger, long startMillis, @Nullable String output,
      List<PCollection<FetchResult>> publishedBy) {
    this.ledger = ledger;
    this.startMillis = startMillis;
    this.output = output;
    this.publishedBy = publishedBy;
  }

  public static WriteLedger to(ResultsLedger ledger) {
    return new WriteLedger(ledger, System.currentTimeMillis(), null, List.of());
  }

  /** When the run started, for summary.json's elapsed time and rate. */
  public WriteLedger withStartMillis(long startMillis) {
    return new WriteLedger(ledger, startMillis, output, publishedBy);
  }

  /** The output the results are for, recorded in summary.json as {@code output}. */
  public WriteLedger withOutput(@Nullable String output) {
    return new WriteLedger(ledger, startMillis, output, publishedBy);
  }

  /**
   * Results that their producer has published into the ledger itself ({@code
   * FetchAndStore.withLedger}): not written again, but the summary is made only once they are all
   * in.
   */
  public WriteLedger withPublishedBy(PCollection<FetchResult> results) {
    List<PCollection<FetchResult>> more = new ArrayList<>(publishedBy);
    more.add(results);
    return new WriteLedger(ledger, startMillis, output, Collections.unmodifiableList(more));
  }

  @Override
  public PDone expand(PCollectionList<FetchResult> inputs) {
    List<PCollection<Long>> published = new ArrayList<>();
    int i = 0;
    for (PCollection<FetchResult> results : inputs.getAll()) {
      i++;
      published.add(results
          .apply("WriteLedgerFiles" + i, ParDo.of(new WriteLedgerFilesFn(ledger)))
          .setCoder(VarLongCoder.of()));
    }
    int j = 0;
    for (PCollection<FetchResult> results : publishedBy) {
      j++;
      published.add(results.apply("CountPublished" + j, ParDo.of(new CountBundleFn())).setCoder(VarLongCoder.of()));
    }
    String dir = ledger.directory().endsWith("/") ? ledger.directory() : ledger.directory() + "/";
    PCollectionList.of(published)
        .apply("AllWriters", Flatten.pCollections())
        .apply("AllPublished", Sum.longsGlobally())
        .apply("SummarizeLedger", ParDo.of(new SummarizeLedgerFn(ledger, startMillis, output)))
        .apply("WriteSummary", TextIO.write().to(dir + "summary").withSuffix(".json")
            .withoutSharding().withShardNameTemplate(""));
    return PDone.in(inputs.getPipeline());
  }

  /** The number of results of each bundle, emitted when it ends. */
  static class CountBundleFn extends DoFn<FetchResult, Long> {
    private static final long serialVersionUID = 1L;
    private transient long count;

    @StartBundle
    public void startBundle() {
      count = 0;
    }

    @ProcessElement
    public void processElement() {
      count++;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      context.output(count, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
    }
  }
}
