package massfetch.sink;

import java.util.Collection;
import java.util.Locale;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;

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

  /**
   * Configures every store's file system from the sink settings (output is not used), each as used
   * by the job.
   */
  public static void configure(PipelineOptions options, SinkConfig config) {
    configure(options, config, null);
  }

  /** Configures every store's file system from the stores' own options in {@code options}. */
  public static void configure(PipelineOptions options) {
    configure(options, settings(options), null);
  }

  /**
   * The same, for a job whose locations (manifest, output, results...: null ones are skipped) are
   * {@code locations}: a store none of them is in is told so, and may skip its start-up lookups.
   */
  public static void configure(PipelineOptions options, Collection<String> locations) {
    configure(options, settings(options), locations);
  }

  private static void configure(PipelineOptions options, SinkConfig config, Collection<String> locations) {
    for (ObjectStore store : ObjectSinks.stores()) {
      store.configureFileSystem(options, config, locations == null || inStore(store, locations));
    }
    FileSystems.setDefaultPipelineOptions(options);
  }

  private static SinkConfig settings(PipelineOptions options) {
    SinkConfig.Builder config = SinkConfig.builder().setOutput("");
    ObjectSinks.settingsFrom(options).forEach(config::setStore);
    return config.build();
  }

  private static boolean inStore(ObjectStore store, Collection<String> locations) {
    String prefix = store.scheme() + "://";
    return locations.stream()
        .anyMatch(l -> l != null && l.strip().toLowerCase(Locale.ROOT).startsWith(prefix));
  }
}
