package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Redirects: the extra headers (tokens) stay with their origin (a redirect to another port of the
 * same address, or to another name for it, is followed but gets no header), and a retry starts
 * again from the manifest's URL, not from the redirect's target.
 */
class RedirectsTest {
  private static final String TOKEN = "Bearer s3cr3t";

  @TempDir Path dir;
  private FaultOrigin provider;
  private FaultOrigin other;

  @BeforeEach
  void start() throws Exception {
    provider = new FaultOrigin();
    other = new FaultOrigin();
    provider.addImage("a.png", TestImages.png(9, 24));
    other.addImage("a.png", TestImages.png(9, 24));
    int otherPort = Integer.parseInt(other.baseUrl().replaceAll(".*:", ""));
    provider.redirect("port", "http://127.0.0.1:" + otherPort + "/img/a.png");
    provider.redirect("name", "http://localhost:" + otherPort + "/img/a.png");
    provider.redirect("same", "/img/a.png");
    provider.redirect("flaky", "/503twice/a.png");
  }

  @AfterEach
  void stop() throws Exception {
    provider.close();
    other.close();
  }

  @Test
  void givenHeader_whenRedirectedToAnotherPortOrName_thenFollowedWithoutTheHeader() throws Exception {
    FetchConfig config = config(List.of());

    for (String hop : List.of("port", "name")) {
      FetchResult r = fetch(config, provider.baseUrl() + "/goto/" + hop);

      assertEquals(Status.OK, r.getStatus(), r.toString());
      assertEquals(TOKEN, provider.lastHeader("/goto/" + hop, "Authorization"), "the origin gets it");
      assertNull(other.lastHeader("/img/a.png", "Authorization"), "the token leaked to " + hop);
    }
  }

  @Test
  void givenHeader_whenRedirectedWithinTheOrigin_thenTheHopCarriesIt() throws Exception {
    FetchResult r = fetch(config(List.of()), provider.baseUrl() + "/goto/same");

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertEquals(TOKEN, provider.lastHeader("/img/a.png", "Authorization"));
  }

  @Test
  void givenHeaderHostsNamingTheOtherPort_whenRedirectedThere_thenOnlyThatHostGetsIt() throws Exception {
    String otherHost = other.baseUrl().replace("http://", "");
    FetchResult r = fetch(config(List.of(otherHost)), provider.baseUrl() + "/goto/port");

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertNull(provider.lastHeader("/goto/port", "Authorization"), "--headerHosts does not name the first hop");
    assertEquals(TOKEN, other.lastHeader("/img/a.png", "Authorization"));
  }

  @Test
  void givenRedirectToAFailingTarget_whenRetried_thenEachRetryStartsAtTheManifestUrl() throws Exception {
    FetchConfig config = config(List.of()).toBuilder().setInitialBackoffMs(5).build();

    FetchResult r = fetch(config, provider.baseUrl() + "/goto/flaky");

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertEquals(3, provider.hits("/503twice/a.png"));
    assertEquals(3, provider.hits("/goto/flaky"), "every attempt asked the manifest's URL first");
  }

  private static FetchConfig config(List<String> headerHosts) {
    return FetchConfig.builder()
        .setHeaders(List.of("Authorization:" + TOKEN))
        .setHeaderHosts(headerHosts)
        .setAllowedHosts(List.of("127.0.0.1", "localhost"))
        .setSkipExisting(false)
        .build();
  }

  private FetchResult fetch(FetchConfig config, String url) throws Exception {
    try (Worker worker = new Worker(config, SinkConfig.builder().setOutput(dir.toString()).setOverwrite(true).build())) {
      FetchRequest request = FetchRequest.builder().setUrl(url).setKey("k.png").setSource("t").setLine(1).build();
      return worker.fetcher.fetch(request).get(30, TimeUnit.SECONDS);
    }
  }
}
