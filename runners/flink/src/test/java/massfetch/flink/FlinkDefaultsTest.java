package massfetch.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link FlinkDefaults} adds to a FlinkRunner command line, and what it leaves alone. */
class FlinkDefaultsTest {
  private static final Optional<String> JAR = Optional.of("/opt/massfetch-flink.jar");

  @Test
  void givenDirectRunner_whenApplied_thenArgsUnchanged() {
    String[] args = {"--manifest=m.txt", "--output=/abs/out", "--parallelism=4"};

    assertArrayEquals(args, FlinkDefaults.apply(args, JAR));
  }

  @Test
  void givenClusterMaster_whenApplied_thenJarStagedAndGroupsFromParallelism() {
    List<String> out = Arrays.asList(FlinkDefaults.apply(new String[] {
        "--runner=FlinkRunner", "--flinkMaster=localhost:8081", "--parallelism=4",
        "--manifest=m.txt", "--output=gs://b/x", "--results=/abs/r"}, JAR));
    assertTrue(out.contains("--filesToStage=/opt/massfetch-flink.jar"));
    assertTrue(out.contains("--manifest=m.txt"));
    assertTrue(out.contains("--output=gs://b/x"));
    assertTrue(out.contains("--results=/abs/r"));
    assertTrue(out.contains("--minGroups=64"));
  }

  @Test
  void givenEmbeddedOrExplicitValues_whenApplied_thenNothingOverridden() {
    List<String> out = Arrays.asList(FlinkDefaults.apply(new String[] {
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2", "--minGroups=5",
        "--manifest=/m.txt", "--output=/o"}, JAR));
    assertFalse(out.stream().anyMatch(a -> a.startsWith("--filesToStage=")));
    assertEquals(1, out.stream().filter(a -> a.startsWith("--minGroups=")).count());
    assertTrue(out.contains("--minGroups=5"));

    List<String> staged = Arrays.asList(FlinkDefaults.apply(new String[] {
        "--runner=org.apache.beam.runners.flink.FlinkRunner", "--flinkMaster=host:8081",
        "--filesToStage=/my.jar"}, JAR));
    assertEquals(1, staged.stream().filter(a -> a.startsWith("--filesToStage=")).count());
  }

  @Test
  void givenMasters_whenClassified_thenOnlyHostPortIsACluster() {
    assertTrue(FlinkDefaults.isCluster("localhost:8081"));
    assertTrue(FlinkDefaults.isCluster("http://jm:8081"));
    assertFalse(FlinkDefaults.isCluster("[local]"));
    assertFalse(FlinkDefaults.isCluster("[auto]"));
  }
}
