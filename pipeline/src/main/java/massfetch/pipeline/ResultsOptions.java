package massfetch.pipeline;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where results go, and how the run reports and spreads its work. */
public interface ResultsOptions extends PipelineOptions {
  @Description("Folder for results-*.jsonl (one record per manifest entry) and summary.json. Default: <output>/_results")
  @Default.InstanceFactory(ResultsDefault.class)
  String getResults();

  void setResults(String value);

  @Description("Seconds between progress lines while the job runs; 0 for none.")
  @Default.Integer(5)
  int getProgressIntervalSeconds();

  void setProgressIntervalSeconds(int value);

  @Description("Manifest entries per work group: each group is fetched by one worker thread.")
  @Default.Integer(5_000)
  int getGroupSize();

  void setGroupSize(int value);

  @Description("Fewest work groups, however small the manifest; set at least the job's parallelism.")
  @Default.Integer(16)
  int getMinGroups();

  void setMinGroups(int value);

  @Description("Results are published as they come in whole files: a file is"
      + " closed and published once it holds this many records (or at --resultsFileSeconds).")
  @Default.Integer(massfetch.results.ResultsLedger.DEFAULT_ROLL_RECORDS)
  int getResultsFileRecords();

  void setResultsFileRecords(int value);

  @Description("... or once it has been open this many seconds: what a crash can lose per worker.")
  @Default.Integer(massfetch.results.ResultsLedger.DEFAULT_ROLL_SECONDS)
  int getResultsFileSeconds();

  void setResultsFileSeconds(int value);

  /** {@code <output>/_results}. */
  class ResultsDefault implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      String output = options.as(SinkOptions.class).getOutput();
      if (output == null) {
        return null;
      }
      return (output.endsWith("/") ? output : output + "/") + "_results";
    }
  }
}
