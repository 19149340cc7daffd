package massfetch.sink;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The options of the {@code gs://} store ({@link GcsSink}); {@link GcsSink.Settings} carries their
 * values. {@code --gcsEndpoint} is the same property as Beam's own GCS file-system option, which
 * reads it too.
 */
public interface GcsStoreOptions extends PipelineOptions {
  @Description("GCS JSON API endpoint, for emulators (e.g. http://127.0.0.1:4443).")
  String getGcsEndpoint();

  void setGcsEndpoint(String value);

  @Description("GCS project, when Application Default Credentials name none.")
  String getGcsProject();

  void setGcsProject(String value);

  @Description("GCS project billed for a requester-pays bucket's requests (default: none).")
  String getUserProject();

  void setUserProject(String value);
}
