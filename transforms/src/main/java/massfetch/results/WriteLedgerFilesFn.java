package massfetch.results;

import java.io.IOException;
import java.util.UUID;
import massfetch.metrics.JobMetrics;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;

/**
 * Publishes results as they come, in whole files: lines go to a hidden {@code .partial-<run>-<id>}
 * file that is renamed to {@code results-<run>-<id>.jsonl} once it holds the ledger's roll count or
 * has been open its roll time (checked at each result), and when the bundle ends. A crash loses the
 * open file only, never leaves a half file under a final name, and what was published stays for
 * {@code --previousResults}. Made for Flink batch, where a bundle is a whole subtask.
 *
 * <p>A restarted task gets its entries again: each result whose entry (source, line) this run has
 * already published is dropped here ({@link PublishedEntries}, refreshed when a bundle starts), so
 * no entry has two records across the run's files. Outputs the number of lines each bundle
 * published, the signal that all files are in.
 */
class WriteLedgerFilesFn extends DoFn<FetchResult, Long> {
  private static final long serialVersionUID = 1L;

  private final ResultsLedger ledger;
  private final Counter repeatsDropped = JobMetrics.counter(JobMetrics.LEDGER_REPEATS_DROPPED);

  private transient PublishedEntries published;
  private transient PartialFile file;
  private transient long openedAtMillis;
  private transient int fileLines;
  private transient long bundleLines;

  WriteLedgerFilesFn(ResultsLedger ledger) {
    this.ledger = ledger;
  }

  @Setup
  public void setup() {
    published = PublishedEntries.of(ledger);
  }

  @StartBundle
  public void startBundle() {
    published.refresh();
    bundleLines = 0;
  }

  @ProcessElement
  public void processElement(@Element FetchResult r) throws IOException {
    if (published.contains(r.getSource(), r.getLine())) {
      repeatsDropped.inc();
      return;
    }
    if (file == null) {
      open();
    }
    file.writeLine(ResultJson.toJson(r));
    fileLines++;
    if (fileLines >= ledger.rollRecords()
        || System.currentTimeMillis() - openedAtMillis >= ledger.rollSeconds() * 1000L) {
      publish();
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws IOException {
    publish();
    context.output(bundleLines, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
  }

  /** A bundle that failed leaves no half-written file behind (a killed JVM leaves a hidden one). */
  @Teardown
  public void teardown() throws IOException {
    if (file != null) {
      PartialFile left = file;
      file = null;
      left.discard();
    }
  }

  private void open() throws IOException {
    file = PartialFile.create(ledger.directory(), ledger.newFileName(UUID.randomUUID().toString()));
    openedAtMillis = System.currentTimeMillis();
    fileLines = 0;
  }

  private void publish() throws IOException {
    if (file == null) {
      return;
    }
    PartialFile whole = file;
    file = null;
    whole.publish();
    bundleLines += fileLines;
  }
}
