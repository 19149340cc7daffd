package massfetch.results;

import java.io.IOException;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;

/**
 * Publishes the results of a step that does not write them itself (invalid lines, repeated keys,
 * entries done before) through a {@link LedgerWriter}. Outputs the number of lines each bundle
 * published, the signal that its files are in.
 */
class WriteLedgerFilesFn extends DoFn<FetchResult, Long> {
  private static final long serialVersionUID = 1L;

  private final ResultsLedger ledger;

  private transient LedgerWriter writer;

  WriteLedgerFilesFn(ResultsLedger ledger) {
    this.ledger = ledger;
  }

  @Setup
  public void setup() {
    writer = new LedgerWriter(ledger);
  }

  @StartBundle
  public void startBundle() {
    writer.startBundle();
  }

  @ProcessElement
  public void processElement(@Element FetchResult r) throws IOException {
    writer.write(r);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws IOException {
    context.output(writer.finishBundle(), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
  }

  @Teardown
  public void teardown() throws IOException {
    if (writer != null) {
      writer.discard();
    }
  }
}
