package massfetch.sink;

import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One kind of store the job can write to, named by the scheme of {@code --output}: opens its {@link
 * ObjectSink} and says what the rest of the job needs to know of it. A store is its sink's file,
 * holding a public nested implementation of this, plus one line in {@code
 * META-INF/services/massfetch.sink.ObjectStore}; {@link ObjectSinks} finds them all at run time.
 */
public interface ObjectStore {
  /** The scheme of locations in this store: {@code file} for a plain path, {@code gs}, {@code s3}. */
  String scheme();

  /** Opens the sink for {@code config.output()}, a location of this store; the caller closes it. */
  ObjectSink open(SinkConfig config);

  /**
   * Whether this is a remote object store, charged and rate-limited per request: its requests are
   * paced and adapted to its "slow down" answers, and the pre-flight writes a probe object to it.
   */
  default boolean remote() {
    return false;
  }

  /**
   * What is missing to reach this store (region, credentials), looked up without a request; null
   * when nothing is, else one line naming the fix.
   */
  default String setupProblem(SinkConfig config, Map<String, String> env) {
    return null;
  }

  /**
   * Points Beam's file system for this scheme (manifests, results, temp files) at the same store
   * and endpoint as the sink. Called once in {@code main}, before the pipeline is made.
   */
  default void configureFileSystem(PipelineOptions options, SinkConfig config) {}
}
