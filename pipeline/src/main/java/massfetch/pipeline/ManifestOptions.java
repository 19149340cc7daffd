package massfetch.pipeline;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where the manifest is and how to read it. */
public interface ManifestOptions extends PipelineOptions {
  @Description(
      "Manifest file or glob (local, gs://, s3://; .gz read as gzip). Text: one path relative to"
          + " --baseUrl or one absolute http(s) URL a line; .csv/.tsv: a header naming url or path,"
          + " optionally key, size, md5.")
  @Validation.Required
  String getManifest();

  void setManifest(String value);

  @Description("Base URL that relative manifest paths are appended to, e.g. https://images.example.com/v1")
  String getBaseUrl();

  void setBaseUrl(String value);

  @Description("Longest manifest line accepted, in bytes; longer lines become invalid_entry results.")
  @Default.Integer(8192)
  int getMaxLineBytes();

  void setMaxLineBytes(int value);
}
