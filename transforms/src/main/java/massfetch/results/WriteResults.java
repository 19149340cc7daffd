package massfetch.results;

import javax.annotation.Nullable;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import javax.annotation.Nullable;
import org.joda.time.Instant;

/**
 * Writes one JSON line per result to {@code <results>/results-*.jsonl} and the run's counts to
 * {@code <results>/summary.json}. By default through Beam's file sink (temp files, then finalised,
 * named {@code results-SSSSS-of-NNNNN.jsonl}), so a retried bundle never leaves a duplicate line;
 * {@link #withLedger} publishes rolled files as it goes instead, so a job that dies keeps the
 * results of its finished work.
 *
 * <pre>{@code
 * results.apply("WriteResults", WriteResults.to("gs://bucket/run-1/_results").withStartMillis(start));
 * }</pre>
 */
public final class WriteResults extends PTransform<PCollection<FetchResult>, PDone> {
  private static final long serialVersionUID = 1L;

  /** The results files either writer leaves in the results folder, as a glob. */
  public static final String RESULT_FILES = "results-*.jsonl";
  /** Before a results file is whole, its name carries this prefix. */
  public static final String PARTIAL_PREFIX = ".partial-";

  private final String directory;
  private final long startMillis;
  private final @Nullable String output;
  private final @Nullable ResultsLedger ledger;

  private WriteResults(
      String directory,
      long startMillis,
      @Nullable String output,
      @Nullable ResultsLedger ledger) {
    this.directory = directory;
    this.startMillis = startMillis;
    this.output = output;
    this.ledger = ledger;
  }

  public static WriteResults to(String directory) {
    return new WriteResults(directory, System.currentTimeMillis(), null, null);
  }

  /** The output the results are for, recorded in summary.json as {@code output}. */
  public WriteResults withOutput(@Nullable String output) {
    return new WriteResults(directory, startMillis, output, ledger);
  }

  /** When the run started, for summary.json's elapsed time and rate. */
  public WriteResults withStartMillis(long startMillis) {
    return new WriteResults(directory, startMillis, output, ledger);
  }

  /**
   * Publishes results as they are produced, in whole rolled files named by the ledger's run
   * ({@link WriteLedgerFilesFn}), dropping any entry the run already published (a retried task),
   * and builds summary.json from the published files at the end ({@link SummarizeLedgerFn}). For
   * runners that retry tasks and run a bundle for long (Flink batch): a job that dies leaves the
   * results of its finished work for {@code --previousResults}. Its folder is the ledger's.
   */
  public WriteResults withLedger(ResultsLedger ledger) {
    return new WriteResults(ledger.directory(), startMillis, output, ledger);
  }

  /** The folder with a trailing separator, so file prefixes land inside it. */
  private String prefix(String name) {
    return (directory.endsWith("/") ? directory : directory + "/") + name;
  }

  @Override
  public PDone expand(PCollection<FetchResult> results) {
    if (ledger != null) {
      return expandLedger(results, ledger);
    }
    PCollectionTuple out =
        results.apply("ToJsonLines",
            ParDo.of(new ToJsonLinesFn()).withOutputTags(LINES, TupleTagList.of(PARTIAL_SUMMARIES)));
    out.get(LINES)
        .apply("WriteJsonLines", TextIO.write().to(prefix("results")).withSuffix(".jsonl"));
    long start = startMillis;
    String outputName = output;
    out.get(PARTIAL_SUMMARIES)
        .setCoder(SerializableCoder.of(Summary.class))
        .apply("Summarize", Combine.globally(new MergeSummariesFn()))
        .apply("SummaryJson", MapElements.into(TypeDescriptors.strings())
            .via((Summary s) -> s.toJson(start, System.currentTimeMillis(), outputName)))
        .apply("WriteSummary", TextIO.write().to(prefix("summary")).withSuffix(".json")
            .withoutSharding().withShardNameTemplate(""));
    return PDone.in(results.getPipeline());
  }

  private PDone expandLedger(PCollection<FetchResult> results, ResultsLedger ledger) {
    return PCollectionList.of(results)
        .apply(WriteLedger.to(ledger).withStartMillis(startMillis).withOutput(output));
  }

  static final TupleTag<String> LINES = new TupleTag<String>() {};
  static final TupleTag<Summary> PARTIAL_SUMMARIES = new TupleTag<Summary>() {};

  /**
   * Turns results into their JSON lines, several lines to an element, and folds them into a summary
   * of the bundle, emitted when the bundle ends. Runners pay per element at a shuffle (TextIO's
   * write on the DirectRunner replaces its runner-determined sharding by a GroupByKey of every
   * element, after the last fetch), and a block of lines costs what one line does; the results
   * ledger skips that shuffle. A block is sent on as soon as it is full, so nothing
   * grows with the bundle (on Flink batch a bundle is a whole subtask). The combine downstream
   * merges one summary per bundle.
   */
  static class ToJsonLinesFn extends DoFn<FetchResult, String> {
    private static final long serialVersionUID = 1L;
    /** Lines to a block, and characters, whichever is reached first. */
    static final int BLOCK_LINES = 1000;
    static final int BLOCK_CHARS = 1 << 20;

    private transient Summary bundle;
    private transient StringBuilder block;
    private transient int blockLines;

    @StartBundle
    public void startBundle() {
      bundle = new Summary();
      block = new StringBuilder();
      blockLines = 0;
    }

    @ProcessElement
    public void processElement(@Element FetchResult r, OutputReceiver<String> out) {
      bundle.add(r);
      if (blockLines > 0) {
        block.append('\n');
      }
      block.append(ResultJson.toJson(r));
      blockLines++;
      if (blockLines >= BLOCK_LINES || block.length() >= BLOCK_CHARS) {
        out.output(takeBlock());
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      // Results live in the global window (the job never windows them).
      Instant at = GlobalWindow.INSTANCE.maxTimestamp();
      if (blockLines > 0) {
        context.output(takeBlock(), at, GlobalWindow.INSTANCE);
      }
      if (bundle.total() > 0) {
        context.output(PARTIAL_SUMMARIES, bundle, at, GlobalWindow.INSTANCE);
      }
      bundle = null;
    }

    /** The lines so far, without the last newline: TextIO ends every element with one. */
    private String takeBlock() {
      String lines = block.toString();
      block.setLength(0);
      blockLines = 0;
      return lines;
    }
  }

  /** Merges per-bundle summaries into the run's. */
  static class MergeSummariesFn extends Combine.CombineFn<Summary, Summary, Summary> {
    private static final long serialVersionUID = 1L;

    @Override
    public Summary createAccumulator() {
      return new Summary();
    }

    @Override
    public Summary addInput(Summary acc, Summary partial) {
      acc.merge(partial);
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
    public Coder<Summary> getAccumulatorCoder(CoderRegistry registry, Coder<Summary> input) {
      return SerializableCoder.of(Summary.class);
    }

    @Override
    public Coder<Summary> getDefaultOutputCoder(CoderRegistry registry, Coder<Summary> input) {
      return SerializableCoder.of(Summary.class);
    }
  }
}
