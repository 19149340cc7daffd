package massfetch.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import massfetch.pipeline.MassfetchOptions;
import massfetch.pipeline.RunnerSupport;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** {@link FlinkSupport}: found by the pipeline, and answering for FlinkRunner jobs only. */
class FlinkSupportTest {
  private static PipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).create();
  }

  @Test
  void givenThisModulesJar_whenRunnerSupportLoaded_thenFlinkSupportIsFound() {
    List<String> found = ServiceLoader.load(RunnerSupport.class).stream()
        .map(p -> p.type().getName()).toList();
    assertEquals(List.of(FlinkSupport.class.getName()), found);
  }

  @Test
  void givenFlinkClusterJob_whenAsked_thenParallelismAndClusterAreFlinks() {
    FlinkSupport flink = new FlinkSupport();
    PipelineOptions o = options("--runner=FlinkRunner", "--flinkMaster=jm:8081", "--parallelism=6");
    assertEquals(OptionalInt.of(6), flink.parallelism(o));
    assertEquals(Optional.of("jm:8081"), flink.cluster(o));
  }

  @Test
  void givenEmbeddedFlinkOrDirectRunner_whenAsked_thenNoClusterAndOnlyFlinkHasParallelism() {
    FlinkSupport flink = new FlinkSupport();
    assertEquals(Optional.empty(), flink.cluster(options("--runner=FlinkRunner", "--flinkMaster=[local]")));
    assertEquals(Optional.empty(), flink.cluster(options("--runner=FlinkRunner")));
    assertEquals(Optional.empty(), flink.cluster(options("--runner=DirectRunner", "--flinkMaster=jm:8081")));
    assertEquals(OptionalInt.empty(), flink.parallelism(options("--runner=DirectRunner", "--parallelism=6")));
    String[] direct = {"--runner=DirectRunner", "--parallelism=4"};
    assertEquals(List.of(direct), List.of(flink.withDefaults(direct)));
  }

  @Test
  void givenEmbeddedFlink_whenRunPrepared_thenOwnConfFolderUsedAndRemovedAfterwards() throws Exception {
    PipelineOptionsFactory.register(MassfetchOptions.class);
    MassfetchOptions o = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=[local]",
        "--progressIntervalSeconds=0").as(MassfetchOptions.class);
    Path conf;
    try (AutoCloseable prepared = new FlinkSupport().beforeRun(o, System.err)) {
      conf = Path.of(o.as(FlinkPipelineOptions.class).getFlinkConfDir());
      assertTrue(Files.readString(conf.resolve("config.yaml")).contains("io.tmp.dirs:"));
    }
    assertFalse(Files.exists(conf.getParent()), "the run's Flink temp folder is removed");
  }

  @Test
  void givenFlinksMessages_whenClassified_thenDetachedSubmissionsRecognised() {
    FlinkSupport flink = new FlinkSupport();
    assertTrue(flink.isDetachedSubmission("ProgramInvocationException: Job was submitted in detached mode."));
    assertFalse(flink.isDetachedSubmission("IOException: connection refused"));
    assertFalse(flink.hostsMain(), "a test JVM is not a Flink process");
  }
}
