package massfetch.results;

import massfetch.metrics.JobMetrics;
import massfetch.model.FetchRequest;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Leaves out the requests whose entry this run has already published a result for: after a
 * restart (a lost TaskManager, a failed region, a whole-job restart) the new attempt fetches only
 * what the failed one did not record, instead of its whole share again. Placed right before the
 * fetch; in a first attempt it passes everything (nothing of its own share is published yet).
 *
 * <pre>{@code
 * spread.apply("SkipPublished", SkipPublished.in(ledger)).apply("FetchAndStore", …);
 * }</pre>
 */
public final class SkipPublished extends PTransform<PCollection<FetchRequest>, PCollection<FetchRequest>> {
  private static final long serialVersionUID = 1L;

  private final ResultsLedger ledger;

  private SkipPublished(ResultsLedger ledger) {
    this.ledger = ledger;
  }

  public static SkipPublished in(ResultsLedger ledger) {
    return new SkipPublished(ledger);
  }

  @Override
  public PCollection<FetchRequest> expand(PCollection<FetchRequest> requests) {
    return requests.apply("SkipPublishedEntries", ParDo.of(new SkipPublishedFn(ledger)))
        .setCoder(requests.getCoder());
  }

  static class SkipPublishedFn extends DoFn<FetchRequest, FetchRequest> {
    private static final long serialVersionUID = 1L;
    private final ResultsLedger ledger;
    private final Counter skipped = JobMetrics.counter(JobMetrics.LEDGER_SKIPPED);
    private transient PublishedEntries published;

    SkipPublishedFn(ResultsLedger ledger) {
      this.ledger = ledger;
    }

    @Setup
    public void setup() {
      published = PublishedEntries.of(ledger);
    }

    @StartBundle
    public void startBundle() {
      published.refresh();
    }

    @ProcessElement
    public void processElement(@Element FetchRequest r, OutputReceiver<FetchRequest> out) {
      if (published.contains(r.getSource(), r.getLine())) {
        skipped.inc();
      } else {
        out.output(r);
      }
    }
  }
}
