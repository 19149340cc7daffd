package massfetch.pipeline;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where fetched objects go. */
public interface SinkOptions extends PipelineOptions {
  @Description("Output prefix: a local folder, gs://bucket/prefix or s3://bucket/prefix. Object key = manifest path.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Replace objects that are already stored (off: an existing object is never rewritten).")
  @Default.Boolean(false)
  boolean getOverwrite();

  void setOverwrite(boolean value);

  @Description("Local files: none (the OS writes them back when it likes), contents (each file's bytes forced to"
      + " disk before it gets its name: never an empty file under a final name after a power loss) or full"
      + " (contents, and the folder after the name is added: an ok record never claims a file a power loss took).")
  @Default.String("full")
  String getDurability();

  void setDurability(String value);

  @Description("Threads writing local files per worker JVM.")
  @Default.Integer(8)
  int getLocalWriteThreads();

  void setLocalWriteThreads(int value);

  @Description("Uploads in flight per worker JVM, for object stores.")
  @Default.Integer(256)
  int getMaxUploadsInFlight();

  void setMaxUploadsInFlight(int value);

  @Description("GCS JSON API endpoint, for emulators (e.g. http://127.0.0.1:4443).")
  String getGcsEndpoint();

  void setGcsEndpoint(String value);

  @Description("GCS project, when Application Default Credentials name none.")
  String getGcsProject();

  void setGcsProject(String value);

  @Description("S3 endpoint, for S3-compatible stores (e.g. http://127.0.0.1:9000).")
  String getS3Endpoint();

  void setS3Endpoint(String value);

  @Description("S3 region (default: the AWS default provider chain).")
  String getS3Region();

  void setS3Region(String value);

  @Description("Path-style S3 addressing (needed by most S3-compatible stores).")
  @Default.Boolean(false)
  boolean getS3PathStyle();

  void setS3PathStyle(boolean value);
}
