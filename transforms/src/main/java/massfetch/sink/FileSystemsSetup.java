package massfetch.sink;

import java.net.URI;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.regions.Region;

/**
 * Points Beam's {@code gs://} and {@code s3://} file systems (manifests, results, temp files) at the
 * same stores and emulators as the object sinks. Call once from {@code main}, after parsing and
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

  /** Configures both file systems from the sink settings (output is not used). */
  public static void configure(PipelineOptions options, SinkConfig config) {
    configure(
        options,
        config.gcsEndpoint(),
        config.gcsProject(),
        config.s3Endpoint(),
        config.s3Region(),
        config.s3PathStyle());
  }

  /**
   * Configures both file systems. A null endpoint keeps the real service with Application Default
   * Credentials (GCS) or the default provider chain (S3).
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
    GcsOptions gcs = options.as(GcsOptions.class);
    if (gcsEndpoint != null) {
      gcs.setGcsEndpoint(gcsApiUrl(gcsEndpoint));
      gcs.setCredentialFactoryClass(NoopCredentialFactory.class);
    }
    if (gcsProject != null) {
      gcs.setProject(gcsProject);
    }
    S3Options s3 = options.as(S3Options.class);
    if (s3Endpoint != null) {
      s3.setEndpoint(URI.create(s3Endpoint));
    }
    if (s3Region != null || s3Endpoint != null) {
      s3.setAwsRegion(S3Sink.regionFor(s3Region, s3Endpoint));
    }
    if (s3PathStyle || s3Endpoint != null) {
      // Any custom endpoint is an S3-compatible store or an emulator: see the factory for why.
      s3.setS3ClientFactoryClass(S3CompatibleClientBuilderFactory.class);
    }
    FileSystems.setDefaultPipelineOptions(options);
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

  /** Beam wants the full JSON API base ({@code .../storage/v1/}); the sink wants only the host. */
  static String gcsApiUrl(String endpoint) {
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return base.endsWith("/storage/v1") ? base + "/" : base + "/storage/v1/";
  }
}
