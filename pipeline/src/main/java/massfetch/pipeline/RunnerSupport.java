package massfetch.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * What a runner module adds to a run that this module cannot know without depending on the runner:
 * defaults for its options, its parallelism, whether the job leaves this JVM, and what to do around
 * the run. A runner module implements it and registers it in {@code
 * META-INF/services/massfetch.pipeline.RunnerSupport}; {@link Runners} finds every registered one at
 * run time. Each method answers for its own runner only and leaves other runners' jobs alone.
 */
public interface RunnerSupport {
  /** {@code args} with this runner's defaults added; {@code args} unchanged for other runners. */
  default String[] withDefaults(String[] args) {
    return args;
  }

  /** The job's parallelism when the options name this runner and set it. */
  default OptionalInt parallelism(PipelineOptions options) {
    return OptionalInt.empty();
  }

  /**
   * The cluster the job is submitted to, when the options name this runner and a cluster rather
   * than this JVM: the job's options then travel to machines others can look at.
   */
  default Optional<String> cluster(PipelineOptions options) {
    return Optional.empty();
  }

  /**
   * Prepares this JVM for the job and starts what runs beside it (progress lines the runner's
   * {@code PipelineResult} cannot give); the run closes what is returned when it ends.
   *
   * @throws IOException when the preparation the runner needs cannot be made
   */
  default AutoCloseable beforeRun(MassfetchOptions options, PrintStream err) throws IOException {
    return () -> {};
  }

  /**
   * Whether {@code main} runs inside this runner's own process (a job submitted through the
   * runner's client or REST API), where exiting the JVM would take the runner down.
   */
  default boolean hostsMain() {
    return false;
  }

  /** Whether a failure's root message only says the job was submitted without waiting for it. */
  default boolean isDetachedSubmission(String rootMessage) {
    return false;
  }
}
