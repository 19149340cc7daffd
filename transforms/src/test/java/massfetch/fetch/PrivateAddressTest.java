package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback (like every private address) is refused unless named: checked on the address the name
 * resolves to, so {@code localhost} is refused like {@code 127.0.0.1}, and no request arrives.
 */
class PrivateAddressTest {
  @TempDir Path dir;
  private FaultOrigin origin;
  private String port;

  @BeforeEach
  void start() throws Exception {
    origin = new FaultOrigin();
    origin.addImage("a.png", TestImages.png(9, 24));
    port = origin.baseUrl().replaceAll(".*:", "");
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
  }

  @Test
  void givenNoRules_whenUrlIsLoopbackByAddressOrName_thenDisallowedAndNothingSent() throws Exception {
    FetchConfig config = FetchConfig.builder().build();

    for (String host : List.of("127.0.0.1", "localhost")) {
      FetchResult r = fetch(config, "http://" + host + ":" + port + "/img/a.png");

      assertEquals(Status.FAILED, r.getStatus(), r.toString());
      assertEquals(ErrorClass.DISALLOWED_HOST, r.getError(), r.toString());
      assertTrue(r.getDetail().contains("--allowPrivateAddresses"), r.getDetail());
    }
    assertEquals(0, origin.totalHits());
  }

  @Test
  void givenHostNamedOrPrivateAllowed_whenFetched_thenOk() throws Exception {
    String url = "http://localhost:" + port + "/img/a.png";
    for (FetchConfig config : List.of(
        FetchConfig.builder().setAllowedHosts(List.of("localhost:" + port)).build(),
        FetchConfig.builder().setAllowedHosts(List.of("*.example", "localhost")).build(),
        FetchConfig.builder().setAllowPrivateAddresses(true).build())) {
      FetchResult r = fetch(config, url);

      assertEquals(Status.OK, r.getStatus(), r.toString());
    }
  }

  @Test
  void givenAllowedHostsWithAnotherPort_whenFetched_thenDisallowed() throws Exception {
    FetchResult r = fetch(FetchConfig.builder().setAllowedHosts(List.of("localhost:1")).build(),
        "http://localhost:" + port + "/img/a.png");

    assertEquals(ErrorClass.DISALLOWED_HOST, r.getError(), r.toString());
    assertEquals(0, origin.totalHits());
  }

  private FetchResult fetch(FetchConfig config, String url) throws Exception {
    try (Worker worker = new Worker(config.toBuilder().setSkipExisting(false).setMaxAttempts(2).setInitialBackoffMs(5).build(),
        SinkConfig.builder().setOutput(dir.toString()).setOverwrite(true).build())) {
      FetchRequest request = FetchRequest.builder().setUrl(url).setKey("k.png").setSource("t").setLine(1).build();
      return worker.fetcher.fetch(request).get(30, TimeUnit.SECONDS);
    }
  }
}
