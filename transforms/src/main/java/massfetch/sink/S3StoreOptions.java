package massfetch.sink;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The options of the {@code s3://} store ({@link S3Sink}); {@link S3Sink.Settings} carries their values. */
public interface S3StoreOptions extends PipelineOptions {
  @Description("S3 endpoint, for S3-compatible stores (e.g. http://127.0.0.1:9000).")
  String getS3Endpoint();

  void setS3Endpoint(String value);

  @Description("S3 region (default: the AWS default provider chain).")
  String getS3Region();

  void setS3Region(String value);

  @Description("Path-style S3 addressing (needed by most S3-compatible stores).")
  @Default.Boolean(S3Sink.Settings.DEFAULT_PATH_STYLE)
  boolean getS3PathStyle();

  void setS3PathStyle(boolean value);

  @Description("On S3 with --overwrite off, send If-None-Match: * so the store itself refuses to replace an"
      + " object; turn off for a store that rejects the header: each put is then preceded by a HEAD"
      + " (a request more per object, and a small race between two writers of one key).")
  @Default.Boolean(S3Sink.Settings.DEFAULT_CONDITIONAL_WRITES)
  boolean getS3ConditionalWrites();

  void setS3ConditionalWrites(boolean value);

  @Description("KMS key id or ARN: S3 objects are written with SSE-KMS under it (default: the bucket's encryption).")
  String getS3KmsKeyId();

  void setS3KmsKeyId(String value);
}
