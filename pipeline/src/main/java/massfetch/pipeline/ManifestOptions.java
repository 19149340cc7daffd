package massfetch.pipeline;

import massfetch.manifest.ReadManifest;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where the manifest is and how to read it. */
public interface ManifestOptions extends PipelineOptions {
  @Description(
      "Manifest file or glob (local, gs://, s3://; .gz read as gzip). Text: one path relative to"
          + " --baseUrl or one absolute http(s) URL a line; .csv/.tsv: a header naming url or path,"
          + " optionally key, size, md5; .jsonl: an earlier run's results-*.jsonl (url and key of each"
          + " record; see --onlyFailed).")
  @Validation.Required
  String getManifest();

  void setManifest(String value);

  @Description("Base URL that relative manifest paths are appended to, e.g. https://images.example.com/v1")
  String getBaseUrl();

  void setBaseUrl(String value);

  @Description("How relative manifest paths are read: raw (a name: every character that cannot stand in"
      + " a URL is percent-encoded, '%' too, so img%20one.png is requested as img%2520one.png) or encoded"
      + " (already a URL path: %XX escapes are sent as given, like absolute URLs).")
  @Default.String("raw")
  String getPathEncoding();

  void setPathEncoding(String value);

  @Description("Longest manifest line accepted, in bytes; longer lines become invalid_entry results.")
  @Default.Integer(ReadManifest.DEFAULT_MAX_LINE_BYTES)
  int getMaxLineBytes();

  void setMaxLineBytes(int value);

  @Description("Results of earlier runs: the earlier run's --results folder (every results-*.jsonl in it), or a"
      + " file or glob (e.g. <output>/_results/results-*.jsonl; local, gs://, s3://): entries whose object key they record as stored (ok, or skipped as exists/done_before) are"
      + " not fetched and end as skipped/done_before, without a request and without listing the bucket."
      + " Must hold or match at least one results file, outside this run's --results folder.")
  String getPreviousResults();

  void setPreviousResults(String value);

  @Description("Use --previousResults even when they were written for another --output (or do not say which):"
      + " their done keys are then trusted to be stored in this one.")
  @Default.Boolean(false)
  boolean getPreviousResultsAnyOutput();

  void setPreviousResultsAnyOutput(boolean value);

  @Description("When --manifest is an earlier run's results (.jsonl), only its failed records become entries.")
  @Default.Boolean(false)
  boolean getOnlyFailed();

  void setOnlyFailed(boolean value);
}
