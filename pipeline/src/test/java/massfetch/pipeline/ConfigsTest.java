package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import massfetch.fetch.FetchConfig;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** {@link Configs}: the politeness options reach the fetch configuration. */
class ConfigsTest {

  @Test
  void givenPolitenessOptionsOnTheDirectRunner_whenConfigured_thenOneJvmTakesTheWholeBudget() {
    MassfetchOptions o = PipelineOptionsFactory.fromArgs(
            "--runner=DirectRunner", "--manifest=m.txt", "--output=out",
            "--maxRequestsPerSecond=50.5", "--hostUnavailableAfterMs=1000")
        .as(MassfetchOptions.class);

    FetchConfig c = Configs.fetch(o);

    assertEquals(50.5, c.maxRequestsPerSecond(), 1e-9);
    assertEquals(1, c.rateShares());
    assertEquals(1_000, c.hostUnavailableAfterMs());
  }

  @Test
  void givenNoPolitenessOptions_whenConfigured_thenNoBudget() {
    MassfetchOptions o = PipelineOptionsFactory.fromArgs("--manifest=m.txt", "--output=out")
        .as(MassfetchOptions.class);

    assertEquals(0, Configs.fetch(o).maxRequestsPerSecond(), 1e-9);
  }
}
