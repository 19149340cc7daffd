package massfetch.flink;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import java.util.OptionalInt;
import massfetch.pipeline.MassfetchOptions;
import massfetch.pipeline.RunnerSupport;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The FlinkRunner's part of a massfetch run: defaults on the command line ({@link FlinkDefaults}),
 * its {@code --parallelism}, the cluster a job is submitted to, an embedded Flink's temp folder
 * ({@link EmbeddedFlinkTemp}) and progress lines read from a cluster ({@link FlinkRestProgress}).
 * Registered in {@code META-INF/services/massfetch.pipeline.RunnerSupport}, so this jar plugs it in.
 */
public final class FlinkSupport implements RunnerSupport {
  /** For {@link java.util.ServiceLoader}. */
  public FlinkSupport() {}

  @Override
  public String[] withDefaults(String[] args) {
    return FlinkDefaults.apply(args);
  }

  @Override
  public OptionalInt parallelism(PipelineOptions options) {
    if (!isFlink(options)) {
      return OptionalInt.empty();
    }
    Integer p = options.as(FlinkPipelineOptions.class).getParallelism();
    return p != null && p > 0 ? OptionalInt.of(p) : OptionalInt.empty();
  }

  @Override
  public Optional<String> cluster(PipelineOptions options) {
    if (!isFlink(options)) {
      return Optional.empty();
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    return master != null && FlinkDefaults.isCluster(master) ? Optional.of(master) : Optional.empty();
  }

  @Override
  public AutoCloseable beforeRun(MassfetchOptions options, PrintStream err) throws IOException {
    if (!isFlink(options)) {
      return () -> {};
    }
    // On a Flink cluster run() blocks until the job ends, so progress comes from Flink's REST API.
    FlinkRestProgress.startIfCluster(options, cluster(options), err);
    Optional<EmbeddedFlinkTemp> temp =
        EmbeddedFlinkTemp.createIfNeeded(options.as(FlinkPipelineOptions.class), System.getenv());
    return () -> temp.ifPresent(EmbeddedFlinkTemp::close);
  }

  /** Submitted with {@code flink run} or Flink's REST API, main runs inside Flink's JobManager or client. */
  @Override
  public boolean hostsMain() {
    return FlinkSupport.class.getClassLoader().getClass().getName().startsWith("org.apache.flink.");
  }

  /** What {@code flink run -d} and a REST API submission end {@code run()} with. */
  @Override
  public boolean isDetachedSubmission(String rootMessage) {
    return rootMessage.contains("detached mode") || rootMessage.contains("Web Submission");
  }

  static boolean isFlink(PipelineOptions options) {
    return FlinkRunner.class.isAssignableFrom(options.getRunner());
  }
}
