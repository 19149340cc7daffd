package massfetch.results;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import massfetch.metrics.JobMetrics;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.MimeTypes;

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
  private transient ResourceId partial;
  private transient ResourceId finished;
  private transient WritableByteChannel channel;
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
    if (channel == null) {
      open();
    }
    ByteBuffer bytes = ByteBuffer.wrap((ResultJson.toJson(r) + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
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
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } finally {
      channel = null;
      FileSystems.delete(List.of(partial), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  private void open() throws IOException {
    ResourceId folder = FileSystems.matchNewResource(ledger.directory(), true);
    String name = ledger.newFileName(UUID.randomUUID().toString());
    partial = folder.resolve(WriteResults.PARTIAL_PREFIX + name, StandardResolveOptions.RESOLVE_FILE);
    finished = folder.resolve(name, StandardResolveOptions.RESOLVE_FILE);
    channel = FileSystems.create(partial, MimeTypes.TEXT);
    openedAtMillis = System.currentTimeMillis();
    fileLines = 0;
  }

  private void publish() throws IOException {
    if (channel == null) {
      return;
    }
    channel.close();
    channel = null;
    FileSystems.rename(List.of(partial), List.of(finished));
    bundleLines += fileLines;
    partial = null;
  }
}
