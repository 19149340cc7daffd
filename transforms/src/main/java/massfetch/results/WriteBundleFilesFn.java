package massfetch.results;

import java.io.IOException;
import java.util.UUID;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Writes each bundle's blocks of result lines to a file of its own, {@code results-<uuid>.jsonl},
 * first under a hidden {@code .partial-} name and renamed when the bundle ends, so a results file
 * under its final name is always whole.
 *
 * <p>Only for runners that fail the job rather than retry a bundle (the DirectRunner): a retried
 * bundle would leave its first attempt's file beside the second's. Where a bundle may be retried,
 * TextIO's finalised write (or the ledger's) is the safe one; on the DirectRunner TextIO's write
 * costs a GroupByKey of every block after the last fetch, whose cost grows with the run
 * (docs/design.md, "Measurements behind the code").
 */
class WriteBundleFilesFn extends DoFn<String, Void> {
  private static final long serialVersionUID = 1L;

  private final String directory;

  private transient PartialFile file;

  WriteBundleFilesFn(String directory) {
    this.directory = directory;
  }

  @ProcessElement
  public void processElement(@Element String block) throws IOException {
    if (file == null) {
      file = PartialFile.create(directory, WriteResults.RESULT_FILES.replace("*", UUID.randomUUID().toString()));
    }
    // A block is its lines without the last newline (TextIO adds it on the other path).
    file.writeLine(block);
  }

  @FinishBundle
  public void finishBundle() throws IOException {
    if (file == null) {
      return; // an empty bundle writes no file
    }
    PartialFile whole = file;
    file = null;
    whole.publish();
  }

  /** A bundle that failed leaves no half-written file behind. */
  @Teardown
  public void teardown() throws IOException {
    if (file != null) {
      PartialFile left = file;
      file = null;
      left.discard();
    }
  }
}
