package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.results.ResultJson;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two promises of a safe client, against a real server: a {@code Content-Encoding: gzip} body is never
 * inflated (so a small response cannot become gigabytes: it is stored, capped and checked as the
 * bytes that came), and the values of {@code --header} reach the provider but no result record.
 */
class SafeByDefaultTest {
  private static final String SECRET = "s3cr3t-provider-token";

  @TempDir Path dir;
  private FaultOrigin origin;

  @BeforeEach
  void start() throws Exception {
    origin = new FaultOrigin();
    origin.addImage("a.png", TestImages.png(9, 24));
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
  }

  @Test
  void givenGzipEncodedBody_whenFetched_thenStoredAsSentNeverInflatedAndNoGzipAsked() throws Exception {
    FetchConfig config = FetchConfig.builder().setAllowPrivateAddresses(true).setAcceptAnyContent(true).setMaxObjectBytes(1 << 20).build();

    FetchResult r = fetch(config, "/gzip/bomb", "bomb.bin");

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertEquals(FaultOrigin.GZIP_BOMB.length, (long) r.getBytes(), "the bytes on the wire, not 8 MiB inflated");
    assertArrayEquals(FaultOrigin.GZIP_BOMB, Files.readAllBytes(dir.resolve("bomb.bin")));
    assertNull(origin.lastHeader("/gzip/bomb", "Accept-Encoding"), "no compressed encoding is asked for");
  }

  @Test
  void givenSecretHeader_whenFetchesSucceedAndFail_thenSentButInNoResult() throws Exception {
    FetchConfig config = FetchConfig.builder().setAllowPrivateAddresses(true)
        .setHeaders(List.of("Authorization: Bearer " + SECRET)).setMaxAttempts(2).setInitialBackoffMs(5).build();

    for (String path : List.of("/img/a.png", "/404/x.png", "/reset/x.png", "/html/x.png", "/redirect/a.png")) {
      FetchResult r = fetch(config, path, "k" + path);
      String json = ResultJson.toJson(r);
      assertFalse(json.contains(SECRET), "secret in the result record: " + json);
      assertFalse(r.toString().contains(SECRET), "secret in the result: " + r);
      assertEquals("Bearer " + SECRET, origin.lastHeader(path, "Authorization"), "the header reached " + path);
    }
  }

  private FetchResult fetch(FetchConfig config, String path, String key) throws Exception {
    try (Worker worker = new Worker(config, SinkConfig.builder().setOutput(dir.toString()).build())) {
      FetchRequest request = FetchRequest.builder()
          .setUrl(origin.baseUrl() + path).setKey(key).setSource("t").setLine(1).build();
      return worker.fetcher.fetch(request).get(30, TimeUnit.SECONDS);
    }
  }
}
