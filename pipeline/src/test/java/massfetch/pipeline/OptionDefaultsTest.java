package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import massfetch.fetch.FetchConfig;
import massfetch.sink.S3Sink;
import massfetch.sink.SinkConfig;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options and the configurations they build agree: a default is the same whether a worker's
 * configuration comes from the command line or from the builder, and the settings the fetch and
 * store code read can be set from the command line, a bad value being one line and exit code 2.
 */
class OptionDefaultsTest {
  @TempDir Path dir;

  private static MassfetchOptions options(String... args) {
    PipelineOptionsFactory.register(MassfetchOptions.class);
    return PipelineOptionsFactory.fromArgs(args).as(MassfetchOptions.class);
  }

  @Test
  void givenNoOptions_whenConfigured_thenEveryValueIsTheBuildersDefault() {
    MassfetchOptions o = options("--manifest=m.txt", "--output=out");

    assertEquals(FetchConfig.builder().build(), Configs.fetch(o));
    assertEquals(SinkConfig.builder().setOutput("out").build(), Configs.sink(o));
  }

  @Test
  void givenHostHealthAndStoreOptions_whenConfigured_thenWorkersGetThem() {
    MassfetchOptions o = options("--manifest=m.txt", "--output=s3://b/p", "--hostBackoffMs=75",
        "--hostFailuresToOpen=3", "--hostCooldownMs=2500", "--s3ConditionalWrites=false", "--storeTimeoutSeconds=7");

    FetchConfig fetch = Configs.fetch(o);
    SinkConfig sink = Configs.sink(o);

    assertEquals(75, fetch.hostBackoffMs());
    assertEquals(3, fetch.hostFailuresToOpen());
    assertEquals(2_500, fetch.hostCooldownMs());
    assertFalse(sink.settings("s3", S3Sink.Settings.class).conditionalWrites());
    assertEquals(7, sink.storeTimeoutSeconds());
  }

  @Test
  void givenBadValuesOfTheHostHealthAndStoreOptions_whenRun_thenOneLineNamingTheOptionAndExitCode2()
      throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    String out = "--output=" + dir.resolve("out");
    List<String> bad = List.of("--hostBackoffMs=0", "--hostFailuresToOpen=0", "--hostCooldownMs=-1",
        "--storeTimeoutSeconds=0", "--storeTimeoutSeconds=86401");
    for (String option : bad) {
      MainRun run = MainRun.run("--manifest=" + manifest, out, "--preflight=false", option);
      String err = run.err().strip();
      assertEquals(2, run.exitCode(), option + " -> " + err);
      assertFalse(err.contains("\n"), "one line: " + err);
      assertTrue(err.startsWith("massfetch: error: "), err);
      String name = option.substring(0, option.indexOf('='));
      assertTrue(err.contains(name), "names " + name + ": " + err);
    }
  }
}
