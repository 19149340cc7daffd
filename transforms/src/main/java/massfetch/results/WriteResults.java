package massfetch.results;

import massfetch.metrics.JobMetrics;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes one JSON line per result to {@code <results>/results-SSSSS-of-NNNNN.jsonl} and the run's
 * counts to {@code <results>/summary.json}, through Beam's file sink (temp files, then finalised),
 * so a retried bundle never leaves a duplicate line. Also counts results into the job's metrics.
 *
 * <pre>{@code
 * results.apply("WriteResults", WriteResults.to("gs://bucket/run-1/_results").withStartMillis(start));
 * }</pre>
 */
public final class WriteResults extends PTransform<PCollection<FetchResult>, PDone> {
  private static final long serialVersionUID = 1L;

  private final String directory;
  private final long startMillis;

  private WriteResults(String directory, long startMillis) {
    this.directory = directory;
    this.startMillis = startMillis;
  }

  public static WriteResults to(String directory) {
    return new WriteResults(directory, System.currentTimeMillis());
  }

  /** When the run started, for summary.json's elapsed time and rate. */
  public WriteResults withStartMillis(long startMillis) {
    return new WriteResults(directory, startMillis);
  }

  /** The folder with a trailing separator, so file prefixes land inside it. */
  private String prefix(String name) {
    return (directory.endsWith("/") ? directory : directory + "/") + name;
  }

  @Override
  public PDone expand(PCollection<FetchResult> results) {
    PCollection<FetchResult> counted = results.apply("CountResults", ParDo.of(new CountResultsFn()));
    counted
        .apply("ToJsonLines", MapElements.into(TypeDescriptors.strings()).via(ResultJson::toJson))
        .apply("WriteJsonLines", TextIO.write().to(prefix("results")).withSuffix(".jsonl"));
    long start = startMillis;
    counted
        .apply("Summarize", Combine.globally(new SummarizeFn()))
        .apply("SummaryJson", MapElements.into(TypeDescriptors.strings())
            .via((Summary s) -> s.toJson(start, System.currentTimeMillis())))
        .apply("WriteSummary", TextIO.write().to(prefix("summary")).withSuffix(".json")
            .withoutSharding().withShardNameTemplate(""));
    return PDone.in(results.getPipeline());
  }

  /** Counts results as they pass, for progress lines and the runner's metrics UI. */
  private static class CountResultsFn extends DoFn<FetchResult, FetchResult> {
    private static final long serialVersionUID = 1L;
    private final Counter ok = JobMetrics.counter(JobMetrics.RESULTS_OK);
    private final Counter skipped = JobMetrics.counter(JobMetrics.RESULTS_SKIPPED);
    private final Counter failed = JobMetrics.counter(JobMetrics.RESULTS_FAILED);

    @ProcessElement
    public void processElement(@Element FetchResult r, OutputReceiver<FetchResult> out) {
      switch (r.getStatus()) {
        case OK:
          ok.inc();
          break;
        case SKIPPED:
          skipped.inc();
          break;
        case FAILED:
          failed.inc();
          JobMetrics.counter(JobMetrics.FAILED_PREFIX + r.getError()).inc();
          break;
      }
      out.output(r);
    }
  }

  /** Folds results into a {@link Summary}. */
  static class SummarizeFn extends Combine.CombineFn<FetchResult, Summary, Summary> {
    private static final long serialVersionUID = 1L;

    @Override
    public Summary createAccumulator() {
      return new Summary();
    }

    @Override
    public Summary addInput(Summary acc, FetchResult r) {
      acc.add(r);
      return acc;
    }

    @Override
    public Summary mergeAccumulators(Iterable<Summary> accs) {
      Summary merged = new Summary();
      for (Summary s : accs) {
        merged.merge(s);
      }
      return merged;
    }

    @Override
    public Summary extractOutput(Summary acc) {
      return acc;
    }

    @Override
    public Coder<Summary> getAccumulatorCoder(CoderRegistry registry, Coder<FetchResult> input) {
      return SerializableCoder.of(Summary.class);
    }

    @Override
    public Coder<Summary> getDefaultOutputCoder(CoderRegistry registry, Coder<FetchResult> input) {
      return SerializableCoder.of(Summary.class);
    }
  }
}
