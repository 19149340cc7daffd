package massfetch.sink;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.annotation.Nullable;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One kind of store the job can write to, named by the scheme of {@code --output}: opens its {@link
 * ObjectSink} and says what the rest of the job needs to know of it. A store is its sink's file,
 * holding a public nested implementation of this, plus one line in {@code
 * META-INF/services/massfetch.sink.ObjectStore}; {@link ObjectSinks} finds them all at run time.
 * A store with options of its own declares them in its own options interface ({@link
 * #optionsInterface()}, registered with Beam by {@link StoreOptionsRegistrar}) and keeps their
 * values in its own {@link StoreSettings}, which {@link SinkConfig} carries to the workers.
 */
public interface ObjectStore {
  /** The scheme of locations in this store: {@code file} for a plain path, {@code gs}, {@code s3}. */
  String scheme();

  /**
   * The interface of this store's own options (e.g. its endpoint), or null when it has none. Beam
   * parses them with the job's options and {@code --help} lists them under storing.
   */
  default @Nullable Class<? extends PipelineOptions> optionsInterface() {
    return null;
  }

  /**
   * This store's settings from the job's parsed options, or null when it has none; a value it
   * cannot use is refused with an {@link IllegalArgumentException} whose message is one line naming
   * the option.
   */
  default @Nullable StoreSettings settings(PipelineOptions options) {
    return null;
  }

  /** This store's settings when none of its options is given, or null when it has none. */
  default @Nullable StoreSettings defaultSettings() {
    return null;
  }

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
   * and endpoint as the sink. Called once in {@code main}, before the pipeline is made; {@code
   * used}: whether any of the job's locations is in this store (Beam registers every file system
   * it has, used or not, so one that would look something up at start can skip it).
   */
  default void configureFileSystem(PipelineOptions options, SinkConfig config, boolean used) {}

  /**
   * The answer inside a failed request to this store: its HTTP status and the store's error code
   * (null when it gave none); null when {@code failure} is not an answer of this store's client or
   * carries no HTTP status (the request got no answer).
   * The pre-flight walks a failure's causes with it.
   */
  default @Nullable Answer answerOf(Throwable failure) {
    return null;
  }

  /**
   * One clause for a failed pre-flight request, in this store's terms: what went wrong and what to
   * set or grant, e.g. {@code access denied (403 AccessDenied): grant s3:PutObject ...}. {@code
   * answer} is null when the store gave none (no answer in time, connection refused); {@code
   * detail} is the status and code, or the short reason, to put in brackets. Null leaves the
   * pre-flight's neutral wording (see {@link StoreProbe}).
   */
  default @Nullable String probeHint(@Nullable Answer answer, String detail, SinkConfig config) {
    return null;
  }

  /** Deletes the pre-flight's probe object {@code key} through {@code sink}, a sink of this store. */
  default CompletableFuture<Void> deleteProbe(ObjectSink sink, String key) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(scheme() + ":// has no delete for the pre-flight probe"));
  }

  /** A store's answer to a request: HTTP status and the store's error code, if any. */
  record Answer(int status, @Nullable String code) {
    @Override
    public String toString() {
      return status + (code != null ? " " + code : "");
    }
  }
}
