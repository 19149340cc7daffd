package massfetch.sink;

import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.regions.Region;

/**
 * Points Beam's file systems of every {@link ObjectStore} ({@code gs://}, {@code s3://}: manifests,
 * results, temp files) at the same stores and emulators as the object sinks. Call once from {@code main}, after parsing and
 * before {@code Pipeline.create(options)}:
 *
 * <pre>{@code
 * FileSystemsSetup.configure(options, sinkConfig);
 * }</pre>
 *
 * <p>Everything is set as pipeline options, so it reaches every worker with the job. Needs {@code
 * beam-sdks-java-extensions-google-cloud-platform-core} and {@code
 * beam-sdks-java-io-amazon-web-services2} on the runner's classpath (their file-system registrars
 * are found through {@code META-INF/services}, so a shaded jar needs the services transformer).
 */
public final class FileSystemsSetup {
  private FileSystemsSetup() {}

  /** Configures every store's file system from the sink settings (output is not used). */
  public static void configure(PipelineOptions options, SinkConfig config) {
    for (ObjectStore store : ObjectSinks.stores()) {
      store.configureFileSystem(options, config);
    }
    FileSystems.setDefaultPipelineOptions(options);
  }

  /**
   * Configures the GCS and S3 file systems. A null endpoint keeps the real service with Application
   * Default Credentials (GCS) or the default provider chain (S3).
   *
   * @param gcsEndpoint GCS JSON API root for an emulator, e.g. {@code http://127.0.0.1:4443}; no
   *     credentials are sent to it
   * @param s3Endpoint S3 endpoint for an S3-compatible store, e.g. {@code http://127.0.0.1:9000}
   * @param s3PathStyle path-style addressing; needed for {@code localhost} and most S3-compatible
   *     stores, which cannot resolve {@code bucket.localhost}. Any custom {@code s3Endpoint} gets
   *     it too (with {@link S3CompatibleClientBuilderFactory}), as Beam's file system cannot reach
   *     a virtual-host bucket on an IP or {@code localhost} endpoint.
   */
  public static void configure(
      PipelineOptions options,
      String gcsEndpoint,
      String gcsProject,
      String s3Endpoint,
      String s3Region,
      boolean s3PathStyle) {
    configure(options, SinkConfig.builder()
        .setOutput("")
        .setGcsEndpoint(gcsEndpoint)
        .setGcsProject(gcsProject)
        .setS3Endpoint(s3Endpoint)
        .setS3Region(s3Region)
        .setS3PathStyle(s3PathStyle)
        .build());
  }

  /**
   * For a job with no {@code s3://} location: gives Beam's S3 file system a fixed region, which it
   * then never uses. Without one, registering the file systems (which every job does) runs the AWS
   * default region chain, whose last step is a call to the EC2 metadata service — a network wait
   * at every start on a machine outside AWS. Call before {@link #configure}.
   */
  public static void skipS3RegionLookup(PipelineOptions options) {
    S3Options s3 = options.as(S3Options.class);
    s3.setAwsRegion(Region.US_EAST_1);
  }
}
