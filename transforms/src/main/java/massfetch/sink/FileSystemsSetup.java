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
 * FileSystemsSetup.configure(options);
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

  /** Configures every store's file system from the stores' own options in {@code options}. */
  public static void configure(PipelineOptions options) {
    SinkConfig.Builder config = SinkConfig.builder().setOutput("");
    ObjectSinks.settingsFrom(options).forEach(config::setStore);
    configure(options, config.build());
  }

  /**
   * For a job with no {@code s3://} location: gives Beam's S3 file system a fixed region, which it
   * then never uses. Without one, registering the file systems (which every job does) runs the AWS
   * default region chain, whose last step is a call to the EC2 metadata service — a network wait
   * at every start on a machine outside AWS. Does nothing when {@code --s3Region} or {@code
   * --s3Endpoint} is given. Call before {@link #configure}.
   */
  public static void skipS3RegionLookup(PipelineOptions options) {
    S3StoreOptions store = options.as(S3StoreOptions.class);
    if (store.getS3Region() != null || store.getS3Endpoint() != null) {
      return;
    }
    S3Options s3 = options.as(S3Options.class);
    s3.setAwsRegion(Region.US_EAST_1);
  }
}
