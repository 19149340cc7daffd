package massfetch.results;

import java.io.IOException;
import java.util.UUID;
import massfetch.metrics.JobMetrics;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.metrics.Counter;

/**
 * One worker thread's share of a {@link ResultsLedger}: results go to a hidden {@code
 * .partial-<run>-<id>} file that is renamed to {@code results-<run>-<id>.jsonl} once it holds the
 * ledger's roll count or has been open its roll time, and when the bundle ends. A crash loses the
 * open file only, never leaves a half file under a final name, and what was published stays for
 * {@code --previousResults}.
 *
 * <p>Where the runner may retry a task ({@link ResultsLedger#checksRepeats}), a result whose entry
 * (source, line) this run has already published is dropped ({@link PublishedEntries}, refreshed
 * when a bundle starts), so no entry has two records across the run's files.
 *
 * <p>Used by the DoFn that makes the results, not by a step after it: runners hand a step's output
 * on only when its bundle ends (the DirectRunner always, Flink behind a network exchange), and a
 * bundle can be a worker's whole share of the run. Call it from the DoFn thread only.
 */
public final class LedgerWriter {
  private final ResultsLedger ledger;
  private final Counter repeatsDropped = JobMetrics.counter(JobMetrics.LEDGER_REPEATS_DROPPED);
  private final PublishedEntries published;

  private PartialFile file;
  private long openedAtMillis;
  private int fileLines;
  private long bundleLines;

  public LedgerWriter(ResultsLedger ledger) {
    this.ledger = ledger;
    this.published = ledger.checksRepeats() ? PublishedEntries.of(ledger) : null;
  }

  /** Call when a bundle starts: learns what the run published so far (only if it checks repeats). */
  public void startBundle() {
    if (published != null) {
      published.refresh();
    }
    bundleLines = 0;
  }

  /** Writes {@code r}'s record, publishing the file when it is due; false if dropped as a repeat. */
  public boolean write(FetchResult r) throws IOException {
    if (published != null && published.contains(r.getSource(), r.getLine())) {
      repeatsDropped.inc();
      return false;
    }
    if (file == null) {
      file = PartialFile.create(ledger.directory(), ledger.newFileName(UUID.randomUUID().toString()));
      openedAtMillis = System.currentTimeMillis();
      fileLines = 0;
    }
    file.writeLine(ResultJson.toJson(r));
    fileLines++;
    if (fileLines >= ledger.rollRecords()) {
      publish();
    } else {
      publishIfDue();
    }
    return true;
  }

  /**
   * Publishes the open file if it has been open the ledger's roll time: called between results too,
   * so a worker whose results come slowly still publishes what it has.
   */
  public void publishIfDue() throws IOException {
    if (file != null && System.currentTimeMillis() - openedAtMillis >= ledger.rollSeconds() * 1000L) {
      publish();
    }
  }

  /** Call when a bundle ends: publishes the open file; returns the lines the bundle published. */
  public long finishBundle() throws IOException {
    publish();
    return bundleLines;
  }

  /** A bundle that failed leaves no half-written file behind (a killed JVM leaves a hidden one). */
  public void discard() throws IOException {
    if (file != null) {
      PartialFile left = file;
      file = null;
      left.discard();
    }
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
