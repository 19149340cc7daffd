package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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

  @Test
  void givenHeaderValuesWithCommas_whenConfigured_thenEachHeaderWhole() {
    MassfetchOptions o = PipelineOptionsFactory.fromArgs("--manifest=m.txt", "--output=out",
            "--header=Accept:image/avif,image/webp,*/*;q=0.8", "--header=X-Key: a, b,X-Other:c")
        .as(MassfetchOptions.class);

    assertEquals(List.of("Accept:image/avif,image/webp,*/*;q=0.8", "X-Key: a, b", "X-Other:c"),
        Configs.fetch(o).headers());
  }

  @Test
  void givenBaseUrl_whenConfigured_thenHeadersGoToItsOriginAndItsHostMayBePrivate() {
    MassfetchOptions o = PipelineOptionsFactory.fromArgs("--manifest=m.txt", "--output=out",
            "--baseUrl=http://user@127.0.0.1:8080/images")
        .as(MassfetchOptions.class);

    FetchConfig c = Configs.fetch(o);

    assertEquals(List.of("http://127.0.0.1:8080"), c.headerHosts());
    assertEquals(List.of("127.0.0.1"), c.allowedHosts());
    assertEquals(false, c.allowPrivateAddresses());
  }

  @Test
  void givenHeaderHostsAndPrivateAddresses_whenConfigured_thenKept() {
    MassfetchOptions o = PipelineOptionsFactory.fromArgs("--manifest=m.txt", "--output=out",
            "--baseUrl=https://img.example", "--headerHosts=cdn.example:8443,https://img.example",
            "--allowPrivateAddresses", "--maxBytesInFlight=1000000")
        .as(MassfetchOptions.class);

    FetchConfig c = Configs.fetch(o);

    assertEquals(List.of("cdn.example:8443", "https://img.example"), c.headerHosts());
    assertEquals(true, c.allowPrivateAddresses());
    assertEquals(1_000_000, c.effectiveMaxBytesInFlight());
  }
}
