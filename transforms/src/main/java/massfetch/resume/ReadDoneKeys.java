package massfetch.resume;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import massfetch.metrics.JobMetrics;
import massfetch.results.MalformedResultException;
import massfetch.results.ResultRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The object keys that earlier runs' results files record as stored ({@link ResultRecord#isDone}:
 * {@code ok}, or skipped as {@code exists} / {@code done_before}), read from a file or glob on any
 * Beam file system ({@code .gz} too). Lines that are no readable record are ignored and counted
 * ({@value JobMetrics#PREVIOUS_UNREADABLE_LINES}): they are not entries of this run, and a damaged
 * line only means its key is fetched (or found in storage) again.
 *
 * <pre>{@code
 * PCollection<String> done = p.apply("ReadDoneKeys", ReadDoneKeys.from("gs://b/run-1/_results/results-*.jsonl"));
 * }</pre>
 */
public final class ReadDoneKeys extends PTransform<PBegin, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final String filepattern;

  private ReadDoneKeys(String filepattern) {
    this.filepattern = filepattern;
  }

  public static ReadDoneKeys from(String filepattern) {
    return new ReadDoneKeys(filepattern);
  }

  @Override
  public PCollection<String> expand(PBegin input) {
    // One reader per file, as ReadManifest does, not TextIO.read(): on the DirectRunner TextIO's
    // splittable read holds the job open long after the last result (docs/design.md,
    // "Measurements behind the code"). Results come in shards, so the files spread the reading.
    return input
        .apply("MatchPreviousResults", FileIO.match().filepattern(filepattern)
            .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("OpenPreviousResults", FileIO.readMatches())
        .apply("DoneKeys", ParDo.of(new DoneKeysFn()));
  }

  static class DoneKeysFn extends DoFn<FileIO.ReadableFile, String> {
    private static final long serialVersionUID = 1L;
    private final Counter done = JobMetrics.counter(JobMetrics.PREVIOUS_DONE_KEYS);
    private final Counter unreadable = JobMetrics.counter(JobMetrics.PREVIOUS_UNREADABLE_LINES);

    @ProcessElement
    public void processElement(@Element FileIO.ReadableFile file, OutputReceiver<String> out) throws IOException {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(Channels.newInputStream(file.open()), StandardCharsets.UTF_8), 1 << 16)) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          try {
            ResultRecord r = ResultRecord.parse(line);
            if (r.isDone()) {
              done.inc();
              out.output(r.key());
            }
          } catch (MalformedResultException e) {
            unreadable.inc();
          }
        }
      }
    }
  }
}
