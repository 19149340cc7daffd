package massfetch.pipeline;

import java.util.List;
import massfetch.sink.SinkConfig;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Where fetched objects go, for every store; a store's own options (endpoint, region…) are in its
 * own interface, registered with Beam by the store (see {@code massfetch.sink.ObjectStore}).
 */
public interface SinkOptions extends PipelineOptions {
  @Description("Output prefix: a local folder, gs://bucket/prefix or s3://bucket/prefix. Object key = manifest path.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Replace objects that are already stored (off: an existing object is never rewritten).")
  @Default.Boolean(SinkConfig.DEFAULT_OVERWRITE)
  boolean getOverwrite();

  void setOverwrite(boolean value);

  @Description("Local files: none (the OS writes them back when it likes), contents (each file's bytes forced to"
      + " disk before it gets its name: never an empty file under a final name after a power loss) or full"
      + " (contents, and the folder after the name is added: an ok record never claims a file a power loss took).")
  @Default.String(SinkConfig.DEFAULT_DURABILITY)
  String getDurability();

  void setDurability(String value);

  @Description("Threads writing local files per worker JVM.")
  @Default.Integer(SinkConfig.DEFAULT_LOCAL_WRITE_THREADS)
  int getLocalWriteThreads();

  void setLocalWriteThreads(int value);

  @Description("Uploads in flight per worker JVM, for object stores.")
  @Default.Integer(SinkConfig.DEFAULT_MAX_UPLOADS_IN_FLIGHT)
  int getMaxUploadsInFlight();

  void setMaxUploadsInFlight(int value);

  @Description("Store requests per second for the whole job (puts and existence checks, retries"
      + " included); 0 = no cap. Split over --parallelism like --maxRequestsPerSecond. S3 takes 3,500"
      + " PUT/s per key prefix; see docs/storage.md.")
  @Default.Double(SinkConfig.DEFAULT_MAX_WRITES_PER_SECOND)
  double getMaxWritesPerSecond();

  void setMaxWritesPerSecond(double value);

  @Description("Ramp store requests up as GCS asks of a new bucket: 1,000/s at first, at most doubling"
      + " every 20 minutes (and never above --maxWritesPerSecond).")
  @Default.Boolean(SinkConfig.DEFAULT_WRITE_RAMP_UP)
  boolean getWriteRampUp();

  void setWriteRampUp(boolean value);

  @Description("Deadline for one object-store request (connect, send, answer), seconds.")
  @Default.Integer(SinkConfig.DEFAULT_STORE_TIMEOUT_SECONDS)
  int getStoreTimeoutSeconds();

  void setStoreTimeoutSeconds(int value);

  @Description("Storage class of new objects on S3 (e.g. STANDARD_IA, INTELLIGENT_TIERING) or GCS (e.g. NEARLINE)"
      + " (default: the bucket's).")
  String getStorageClass();

  void setStorageClass(String value);

  @Description("Cache-Control of new objects on S3 and GCS, e.g. 'public, max-age=86400' (default: none).")
  String getCacheControl();

  void setCacheControl(String value);

  @Description("User metadata key:value added to every new object on S3 and GCS, besides source-url and md5;"
      + " repeat the option or separate pairs with commas (a comma not followed by key: stays in the value).")
  List<String> getObjectMetadata();

  void setObjectMetadata(List<String> value);

  @Description("Before the job, check a gs:// or s3:// --output and --results by writing and deleting one probe"
      + " object, and the credentials and region for them and the manifest; turn off where only the workers"
      + " have credentials.")
  @Default.Boolean(true)
  boolean getPreflight();

  void setPreflight(boolean value);
}
